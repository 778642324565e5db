CREATE TABLE "attendance_sessions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "attendance_sessions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"section_id" integer NOT NULL,
	"session_date" date NOT NULL,
	"period_id" smallint,
	"taken_by" uuid,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attendance_sessions_section_id_session_date_period_id_key" UNIQUE("section_id","session_date","period_id")
);
--> statement-breakpoint
CREATE TABLE "exam_invigilators" (
	"exam_schedule_id" bigint NOT NULL,
	"staff_id" uuid NOT NULL,
	CONSTRAINT "exam_invigilators_pkey" PRIMARY KEY("exam_schedule_id","staff_id")
);
--> statement-breakpoint
CREATE TABLE "exam_schedules" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "exam_schedules_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"exam_id" integer NOT NULL,
	"class_id" integer NOT NULL,
	"subject_id" integer NOT NULL,
	"exam_date" date NOT NULL,
	"starts_at" time NOT NULL,
	"duration_minutes" smallint NOT NULL,
	"room_id" integer,
	"max_marks" numeric(6, 2) NOT NULL,
	"pass_marks" numeric(6, 2) NOT NULL,
	CONSTRAINT "exam_schedules_exam_id_class_id_subject_id_key" UNIQUE("exam_id","class_id","subject_id"),
	CONSTRAINT "exam_schedules_check" CHECK (pass_marks <= max_marks),
	CONSTRAINT "exam_schedules_duration_minutes_check" CHECK (duration_minutes > 0),
	CONSTRAINT "exam_schedules_max_marks_check" CHECK (max_marks > (0)::numeric),
	CONSTRAINT "exam_schedules_pass_marks_check" CHECK (pass_marks >= (0)::numeric)
);
--> statement-breakpoint
CREATE TABLE "exam_types" (
	"id" smallint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "exam_types_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 32767 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"weight_percent" numeric(5, 2) DEFAULT 100 NOT NULL,
	CONSTRAINT "exam_types_name_key" UNIQUE("name"),
	CONSTRAINT "exam_types_weight_percent_check" CHECK ((weight_percent >= (0)::numeric) AND (weight_percent <= (100)::numeric))
);
--> statement-breakpoint
CREATE TABLE "exams" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "exams_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"term_id" integer NOT NULL,
	"exam_type_id" smallint NOT NULL,
	"name" text NOT NULL,
	"grade_scale_id" smallint,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"is_published" boolean DEFAULT false NOT NULL,
	CONSTRAINT "exams_term_id_name_key" UNIQUE("term_id","name"),
	CONSTRAINT "exams_check" CHECK (ends_on >= starts_on)
);
--> statement-breakpoint
CREATE TABLE "fee_categories" (
	"id" smallint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "fee_categories_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 32767 START WITH 1 CACHE 1),
	"code" text NOT NULL,
	"name" text NOT NULL,
	"is_refundable" boolean DEFAULT false NOT NULL,
	CONSTRAINT "fee_categories_code_key" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "fee_discounts" (
	"id" smallint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "fee_discounts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 32767 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"value" numeric(12, 2) NOT NULL,
	CONSTRAINT "fee_discounts_name_key" UNIQUE("name"),
	CONSTRAINT "fee_discounts_kind_check" CHECK (kind = ANY (ARRAY['percent'::text, 'amount'::text])),
	CONSTRAINT "fee_discounts_value_check" CHECK (value >= (0)::numeric)
);
--> statement-breakpoint
CREATE TABLE "fee_structures" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "fee_structures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"academic_year_id" integer NOT NULL,
	"class_id" integer NOT NULL,
	"fee_category_id" smallint NOT NULL,
	"amount" numeric(12, 2) NOT NULL,
	"frequency" text NOT NULL,
	"due_day" smallint,
	CONSTRAINT "fee_structures_academic_year_id_class_id_fee_category_id_key" UNIQUE("academic_year_id","class_id","fee_category_id"),
	CONSTRAINT "fee_structures_amount_check" CHECK (amount >= (0)::numeric),
	CONSTRAINT "fee_structures_frequency_check" CHECK (frequency = ANY (ARRAY['once'::text, 'monthly'::text, 'quarterly'::text, 'termly'::text, 'yearly'::text])),
	CONSTRAINT "fee_structures_due_day_check" CHECK ((due_day >= 1) AND (due_day <= 28))
);
--> statement-breakpoint
CREATE TABLE "grade_bands" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "grade_bands_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"grade_scale_id" smallint NOT NULL,
	"grade" text NOT NULL,
	"min_percent" numeric(5, 2) NOT NULL,
	"max_percent" numeric(5, 2) NOT NULL,
	"grade_point" numeric(4, 2),
	CONSTRAINT "grade_bands_grade_scale_id_grade_key" UNIQUE("grade_scale_id","grade"),
	CONSTRAINT "grade_bands_min_percent_check" CHECK ((min_percent >= (0)::numeric) AND (min_percent <= (100)::numeric)),
	CONSTRAINT "grade_bands_max_percent_check" CHECK ((max_percent >= (0)::numeric) AND (max_percent <= (100)::numeric)),
	CONSTRAINT "grade_bands_check" CHECK (max_percent >= min_percent)
);
--> statement-breakpoint
CREATE TABLE "grade_scales" (
	"id" smallint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "grade_scales_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 32767 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	CONSTRAINT "grade_scales_name_key" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "homework" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "homework_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"section_id" integer NOT NULL,
	"subject_id" integer NOT NULL,
	"assigned_by" uuid,
	"title" text NOT NULL,
	"description" text,
	"assigned_on" date DEFAULT CURRENT_DATE NOT NULL,
	"due_on" date NOT NULL,
	"max_score" numeric(6, 2),
	CONSTRAINT "homework_max_score_check" CHECK (max_score > (0)::numeric)
);
--> statement-breakpoint
CREATE TABLE "homework_submissions" (
	"homework_id" bigint NOT NULL,
	"student_id" uuid NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"storage_key" text,
	"score" numeric(6, 2),
	"feedback" text,
	CONSTRAINT "homework_submissions_pkey" PRIMARY KEY("homework_id","student_id"),
	CONSTRAINT "homework_submissions_score_check" CHECK (score >= (0)::numeric)
);
--> statement-breakpoint
CREATE TABLE "invoice_lines" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "invoice_lines_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"invoice_id" bigint NOT NULL,
	"fee_structure_id" integer,
	"description" text NOT NULL,
	"amount" numeric(12, 2) NOT NULL,
	"discount" numeric(12, 2) DEFAULT 0 NOT NULL,
	CONSTRAINT "invoice_lines_discount_check" CHECK (discount >= (0)::numeric)
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "invoices_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"invoice_number" text NOT NULL,
	"student_id" uuid NOT NULL,
	"academic_year_id" integer NOT NULL,
	"issued_on" date DEFAULT CURRENT_DATE NOT NULL,
	"due_on" date NOT NULL,
	"total" numeric(12, 2) NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	CONSTRAINT "invoices_invoice_number_key" UNIQUE("invoice_number"),
	CONSTRAINT "invoices_total_check" CHECK (total >= (0)::numeric),
	CONSTRAINT "invoices_status_check" CHECK (status = ANY (ARRAY['draft'::text, 'open'::text, 'partially_paid'::text, 'paid'::text, 'void'::text])),
	CONSTRAINT "invoices_check" CHECK (due_on >= issued_on)
);
--> statement-breakpoint
CREATE TABLE "leave_requests" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "leave_requests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"staff_id" uuid,
	"student_id" uuid,
	"leave_type_id" smallint,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"reason" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	CONSTRAINT "leave_requests_status_check" CHECK (status = ANY (ARRAY['pending'::text, 'approved'::text, 'rejected'::text, 'cancelled'::text])),
	CONSTRAINT "leave_requests_check" CHECK (ends_on >= starts_on),
	CONSTRAINT "leave_requests_check1" CHECK ((staff_id IS NULL) <> (student_id IS NULL))
);
--> statement-breakpoint
CREATE TABLE "leave_types" (
	"id" smallint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "leave_types_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 32767 START WITH 1 CACHE 1),
	"code" text NOT NULL,
	"name" text NOT NULL,
	"days_per_year" smallint DEFAULT 0 NOT NULL,
	CONSTRAINT "leave_types_code_key" UNIQUE("code"),
	CONSTRAINT "leave_types_days_per_year_check" CHECK (days_per_year >= 0)
);
--> statement-breakpoint
CREATE TABLE "marks" (
	"exam_schedule_id" bigint NOT NULL,
	"student_id" uuid NOT NULL,
	"marks_obtained" numeric(6, 2),
	"is_absent" boolean DEFAULT false NOT NULL,
	"entered_by" uuid,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "marks_pkey" PRIMARY KEY("exam_schedule_id","student_id"),
	CONSTRAINT "marks_marks_obtained_check" CHECK (marks_obtained >= (0)::numeric),
	CONSTRAINT "marks_check" CHECK (is_absent OR (marks_obtained IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "payment_allocations" (
	"payment_id" bigint NOT NULL,
	"invoice_id" bigint NOT NULL,
	"amount" numeric(12, 2) NOT NULL,
	CONSTRAINT "payment_allocations_pkey" PRIMARY KEY("payment_id","invoice_id"),
	CONSTRAINT "payment_allocations_amount_check" CHECK (amount > (0)::numeric)
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "payments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"receipt_number" text NOT NULL,
	"student_id" uuid NOT NULL,
	"amount" numeric(12, 2) NOT NULL,
	"method" text NOT NULL,
	"provider_reference" text,
	"paid_at" timestamp with time zone DEFAULT now() NOT NULL,
	"received_by" uuid,
	CONSTRAINT "payments_receipt_number_key" UNIQUE("receipt_number"),
	CONSTRAINT "payments_amount_check" CHECK (amount > (0)::numeric),
	CONSTRAINT "payments_method_check" CHECK (method = ANY (ARRAY['cash'::text, 'card'::text, 'upi'::text, 'bank_transfer'::text, 'cheque'::text, 'online'::text]))
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "refunds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"payment_id" bigint NOT NULL,
	"amount" numeric(12, 2) NOT NULL,
	"reason" text NOT NULL,
	"refunded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"approved_by" uuid,
	CONSTRAINT "refunds_amount_check" CHECK (amount > (0)::numeric)
);
--> statement-breakpoint
CREATE TABLE "report_card_lines" (
	"report_card_id" bigint NOT NULL,
	"subject_id" integer NOT NULL,
	"percent" numeric(5, 2),
	"grade" text,
	"remark" text,
	CONSTRAINT "report_card_lines_pkey" PRIMARY KEY("report_card_id","subject_id")
);
--> statement-breakpoint
CREATE TABLE "report_cards" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "report_cards_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"student_id" uuid NOT NULL,
	"term_id" integer NOT NULL,
	"overall_percent" numeric(5, 2),
	"overall_grade" text,
	"rank_in_section" smallint,
	"teacher_remark" text,
	"issued_at" timestamp with time zone,
	CONSTRAINT "report_cards_student_id_term_id_key" UNIQUE("student_id","term_id")
);
--> statement-breakpoint
CREATE TABLE "staff_attendance" (
	"staff_id" uuid NOT NULL,
	"attendance_date" date NOT NULL,
	"status" text NOT NULL,
	"check_in" time,
	"check_out" time,
	CONSTRAINT "staff_attendance_pkey" PRIMARY KEY("staff_id","attendance_date"),
	CONSTRAINT "staff_attendance_status_check" CHECK (status = ANY (ARRAY['present'::text, 'absent'::text, 'half_day'::text, 'on_leave'::text]))
);
--> statement-breakpoint
CREATE TABLE "student_attendance" (
	"session_id" bigint NOT NULL,
	"student_id" uuid NOT NULL,
	"status" text NOT NULL,
	"remark" text,
	CONSTRAINT "student_attendance_pkey" PRIMARY KEY("session_id","student_id"),
	CONSTRAINT "student_attendance_status_check" CHECK (status = ANY (ARRAY['present'::text, 'absent'::text, 'late'::text, 'excused'::text]))
);
--> statement-breakpoint
CREATE TABLE "student_fee_discounts" (
	"student_id" uuid NOT NULL,
	"fee_discount_id" smallint NOT NULL,
	"academic_year_id" integer NOT NULL,
	"approved_by" uuid,
	CONSTRAINT "student_fee_discounts_pkey" PRIMARY KEY("student_id","fee_discount_id","academic_year_id")
);
--> statement-breakpoint
ALTER TABLE "attendance_sessions" ADD CONSTRAINT "attendance_sessions_section_id_fkey" FOREIGN KEY ("section_id") REFERENCES "public"."sections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_sessions" ADD CONSTRAINT "attendance_sessions_period_id_fkey" FOREIGN KEY ("period_id") REFERENCES "public"."period_definitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_sessions" ADD CONSTRAINT "attendance_sessions_taken_by_fkey" FOREIGN KEY ("taken_by") REFERENCES "public"."staff"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_invigilators" ADD CONSTRAINT "exam_invigilators_exam_schedule_id_fkey" FOREIGN KEY ("exam_schedule_id") REFERENCES "public"."exam_schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_invigilators" ADD CONSTRAINT "exam_invigilators_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_schedules" ADD CONSTRAINT "exam_schedules_class_id_fkey" FOREIGN KEY ("class_id") REFERENCES "public"."classes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_schedules" ADD CONSTRAINT "exam_schedules_subject_id_fkey" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_schedules" ADD CONSTRAINT "exam_schedules_exam_id_fkey" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_schedules" ADD CONSTRAINT "exam_schedules_room_id_fkey" FOREIGN KEY ("room_id") REFERENCES "public"."rooms"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exams" ADD CONSTRAINT "exams_term_id_fkey" FOREIGN KEY ("term_id") REFERENCES "public"."terms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exams" ADD CONSTRAINT "exams_exam_type_id_fkey" FOREIGN KEY ("exam_type_id") REFERENCES "public"."exam_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exams" ADD CONSTRAINT "exams_grade_scale_id_fkey" FOREIGN KEY ("grade_scale_id") REFERENCES "public"."grade_scales"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fee_structures" ADD CONSTRAINT "fee_structures_academic_year_id_fkey" FOREIGN KEY ("academic_year_id") REFERENCES "public"."academic_years"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fee_structures" ADD CONSTRAINT "fee_structures_class_id_fkey" FOREIGN KEY ("class_id") REFERENCES "public"."classes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fee_structures" ADD CONSTRAINT "fee_structures_fee_category_id_fkey" FOREIGN KEY ("fee_category_id") REFERENCES "public"."fee_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_bands" ADD CONSTRAINT "grade_bands_grade_scale_id_fkey" FOREIGN KEY ("grade_scale_id") REFERENCES "public"."grade_scales"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "homework" ADD CONSTRAINT "homework_section_id_fkey" FOREIGN KEY ("section_id") REFERENCES "public"."sections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "homework" ADD CONSTRAINT "homework_subject_id_fkey" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "homework" ADD CONSTRAINT "homework_assigned_by_fkey" FOREIGN KEY ("assigned_by") REFERENCES "public"."staff"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "homework_submissions" ADD CONSTRAINT "homework_submissions_homework_id_fkey" FOREIGN KEY ("homework_id") REFERENCES "public"."homework"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "homework_submissions" ADD CONSTRAINT "homework_submissions_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_fee_structure_id_fkey" FOREIGN KEY ("fee_structure_id") REFERENCES "public"."fee_structures"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_academic_year_id_fkey" FOREIGN KEY ("academic_year_id") REFERENCES "public"."academic_years"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leave_requests" ADD CONSTRAINT "leave_requests_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leave_requests" ADD CONSTRAINT "leave_requests_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leave_requests" ADD CONSTRAINT "leave_requests_leave_type_id_fkey" FOREIGN KEY ("leave_type_id") REFERENCES "public"."leave_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leave_requests" ADD CONSTRAINT "leave_requests_decided_by_fkey" FOREIGN KEY ("decided_by") REFERENCES "public"."staff"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marks" ADD CONSTRAINT "marks_exam_schedule_id_fkey" FOREIGN KEY ("exam_schedule_id") REFERENCES "public"."exam_schedules"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marks" ADD CONSTRAINT "marks_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marks" ADD CONSTRAINT "marks_entered_by_fkey" FOREIGN KEY ("entered_by") REFERENCES "public"."staff"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_allocations" ADD CONSTRAINT "payment_allocations_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payment_allocations" ADD CONSTRAINT "payment_allocations_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_received_by_fkey" FOREIGN KEY ("received_by") REFERENCES "public"."staff"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_approved_by_fkey" FOREIGN KEY ("approved_by") REFERENCES "public"."staff"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_card_lines" ADD CONSTRAINT "report_card_lines_report_card_id_fkey" FOREIGN KEY ("report_card_id") REFERENCES "public"."report_cards"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_card_lines" ADD CONSTRAINT "report_card_lines_subject_id_fkey" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_cards" ADD CONSTRAINT "report_cards_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_cards" ADD CONSTRAINT "report_cards_term_id_fkey" FOREIGN KEY ("term_id") REFERENCES "public"."terms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_attendance" ADD CONSTRAINT "staff_attendance_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "student_attendance" ADD CONSTRAINT "student_attendance_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "public"."attendance_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "student_attendance" ADD CONSTRAINT "student_attendance_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "student_fee_discounts" ADD CONSTRAINT "student_fee_discounts_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "student_fee_discounts" ADD CONSTRAINT "student_fee_discounts_fee_discount_id_fkey" FOREIGN KEY ("fee_discount_id") REFERENCES "public"."fee_discounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "student_fee_discounts" ADD CONSTRAINT "student_fee_discounts_academic_year_id_fkey" FOREIGN KEY ("academic_year_id") REFERENCES "public"."academic_years"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "student_fee_discounts" ADD CONSTRAINT "student_fee_discounts_approved_by_fkey" FOREIGN KEY ("approved_by") REFERENCES "public"."staff"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attendance_sessions_date_idx" ON "attendance_sessions" USING btree ("session_date");--> statement-breakpoint
CREATE INDEX "exam_invigilators_staff_idx" ON "exam_invigilators" USING btree ("staff_id");--> statement-breakpoint
CREATE INDEX "exam_schedules_date_idx" ON "exam_schedules" USING btree ("exam_date");--> statement-breakpoint
CREATE INDEX "exams_type_idx" ON "exams" USING btree ("exam_type_id");--> statement-breakpoint
CREATE INDEX "fee_structures_category_idx" ON "fee_structures" USING btree ("fee_category_id");--> statement-breakpoint
CREATE INDEX "homework_section_idx" ON "homework" USING btree ("section_id","due_on");--> statement-breakpoint
CREATE INDEX "homework_submissions_student_idx" ON "homework_submissions" USING btree ("student_id");--> statement-breakpoint
CREATE INDEX "invoice_lines_invoice_idx" ON "invoice_lines" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "invoice_lines_structure_idx" ON "invoice_lines" USING btree ("fee_structure_id");--> statement-breakpoint
CREATE INDEX "invoices_due_idx" ON "invoices" USING btree ("due_on") WHERE (status = ANY (ARRAY['open'::text, 'partially_paid'::text]));--> statement-breakpoint
CREATE INDEX "invoices_student_idx" ON "invoices" USING btree ("student_id","status");--> statement-breakpoint
CREATE INDEX "leave_requests_staff_idx" ON "leave_requests" USING btree ("staff_id");--> statement-breakpoint
CREATE INDEX "leave_requests_student_idx" ON "leave_requests" USING btree ("student_id");--> statement-breakpoint
CREATE INDEX "marks_student_idx" ON "marks" USING btree ("student_id");--> statement-breakpoint
CREATE INDEX "payment_allocations_invoice_idx" ON "payment_allocations" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "payments_student_idx" ON "payments" USING btree ("student_id","paid_at");--> statement-breakpoint
CREATE INDEX "refunds_payment_idx" ON "refunds" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "report_card_lines_subject_idx" ON "report_card_lines" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "report_cards_term_idx" ON "report_cards" USING btree ("term_id");--> statement-breakpoint
CREATE INDEX "staff_attendance_date_idx" ON "staff_attendance" USING btree ("attendance_date");--> statement-breakpoint
CREATE INDEX "student_attendance_student_idx" ON "student_attendance" USING btree ("student_id");--> statement-breakpoint
CREATE INDEX "student_fee_discounts_discount_idx" ON "student_fee_discounts" USING btree ("fee_discount_id");