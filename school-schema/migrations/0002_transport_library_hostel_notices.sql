CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" uuid,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text,
	"details" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "book_copies" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "book_copies_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"book_title_id" bigint NOT NULL,
	"accession_number" text NOT NULL,
	"shelf" text,
	"condition" text DEFAULT 'good' NOT NULL,
	"acquired_on" date,
	CONSTRAINT "book_copies_accession_number_key" UNIQUE("accession_number"),
	CONSTRAINT "book_copies_condition_check" CHECK (condition = ANY (ARRAY['new'::text, 'good'::text, 'worn'::text, 'damaged'::text, 'lost'::text]))
);
--> statement-breakpoint
CREATE TABLE "book_titles" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "book_titles_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"isbn" text,
	"title" text NOT NULL,
	"authors" text NOT NULL,
	"publisher" text,
	"published_year" smallint,
	"subject_id" integer,
	CONSTRAINT "book_titles_isbn_key" UNIQUE("isbn")
);
--> statement-breakpoint
CREATE TABLE "calendar_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "calendar_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"academic_year_id" integer,
	"title" text NOT NULL,
	"description" text,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"location" text,
	CONSTRAINT "calendar_events_check" CHECK (ends_at >= starts_at)
);
--> statement-breakpoint
CREATE TABLE "drivers" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "drivers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"staff_id" uuid,
	"name" text NOT NULL,
	"licence_number" text NOT NULL,
	"licence_expires_on" date NOT NULL,
	"phone" text NOT NULL,
	CONSTRAINT "drivers_staff_id_key" UNIQUE("staff_id"),
	CONSTRAINT "drivers_licence_number_key" UNIQUE("licence_number")
);
--> statement-breakpoint
CREATE TABLE "hostel_allocations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "hostel_allocations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"bed_id" integer NOT NULL,
	"student_id" uuid NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date,
	CONSTRAINT "hostel_allocations_check" CHECK ((ends_on IS NULL) OR (ends_on >= starts_on))
);
--> statement-breakpoint
CREATE TABLE "hostel_beds" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "hostel_beds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"hostel_room_id" integer NOT NULL,
	"label" text NOT NULL,
	CONSTRAINT "hostel_beds_hostel_room_id_label_key" UNIQUE("hostel_room_id","label")
);
--> statement-breakpoint
CREATE TABLE "hostel_rooms" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "hostel_rooms_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"hostel_id" integer NOT NULL,
	"room_number" text NOT NULL,
	"floor" smallint,
	CONSTRAINT "hostel_rooms_hostel_id_room_number_key" UNIQUE("hostel_id","room_number")
);
--> statement-breakpoint
CREATE TABLE "hostels" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "hostels_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"warden_id" uuid,
	CONSTRAINT "hostels_name_key" UNIQUE("name"),
	CONSTRAINT "hostels_kind_check" CHECK (kind = ANY (ARRAY['boys'::text, 'girls'::text, 'mixed'::text, 'staff'::text]))
);
--> statement-breakpoint
CREATE TABLE "library_fines" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "library_fines_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"loan_id" bigint NOT NULL,
	"amount" numeric(8, 2) NOT NULL,
	"paid_at" timestamp with time zone,
	"payment_id" bigint,
	CONSTRAINT "library_fines_amount_check" CHECK (amount > (0)::numeric)
);
--> statement-breakpoint
CREATE TABLE "library_loans" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "library_loans_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"book_copy_id" bigint NOT NULL,
	"member_id" bigint NOT NULL,
	"borrowed_on" date DEFAULT CURRENT_DATE NOT NULL,
	"due_on" date NOT NULL,
	"returned_on" date,
	CONSTRAINT "library_loans_check" CHECK (due_on >= borrowed_on)
);
--> statement-breakpoint
CREATE TABLE "library_members" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "library_members_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"student_id" uuid,
	"staff_id" uuid,
	"card_number" text NOT NULL,
	"max_loans" smallint DEFAULT 3 NOT NULL,
	CONSTRAINT "library_members_student_id_key" UNIQUE("student_id"),
	CONSTRAINT "library_members_staff_id_key" UNIQUE("staff_id"),
	CONSTRAINT "library_members_card_number_key" UNIQUE("card_number"),
	CONSTRAINT "library_members_max_loans_check" CHECK (max_loans > 0),
	CONSTRAINT "library_members_check" CHECK ((student_id IS NULL) <> (staff_id IS NULL))
);
--> statement-breakpoint
CREATE TABLE "message_recipients" (
	"message_id" bigint NOT NULL,
	"recipient_user_id" uuid NOT NULL,
	"read_at" timestamp with time zone,
	CONSTRAINT "message_recipients_pkey" PRIMARY KEY("message_id","recipient_user_id")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "messages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"sender_user_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notice_audiences" (
	"notice_id" bigint NOT NULL,
	"role_id" smallint,
	"section_id" integer,
	CONSTRAINT "notice_audiences_check" CHECK ((role_id IS NOT NULL) OR (section_id IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "notices" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "notices_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"title" text NOT NULL,
	"body" text NOT NULL,
	"published_by" uuid,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"is_pinned" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "route_stops" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "route_stops_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"route_id" integer NOT NULL,
	"name" text NOT NULL,
	"sequence" smallint NOT NULL,
	"pickup_time" time,
	"drop_time" time,
	"latitude" numeric(9, 6),
	"longitude" numeric(9, 6),
	CONSTRAINT "route_stops_route_id_sequence_key" UNIQUE("route_id","sequence"),
	CONSTRAINT "route_stops_sequence_check" CHECK (sequence > 0)
);
--> statement-breakpoint
CREATE TABLE "transport_assignments" (
	"student_id" uuid NOT NULL,
	"academic_year_id" integer NOT NULL,
	"stop_id" integer NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date,
	CONSTRAINT "transport_assignments_pkey" PRIMARY KEY("student_id","academic_year_id")
);
--> statement-breakpoint
CREATE TABLE "transport_routes" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "transport_routes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"code" text NOT NULL,
	"name" text NOT NULL,
	"vehicle_id" integer,
	"driver_id" integer,
	"monthly_fee" numeric(10, 2) DEFAULT 0 NOT NULL,
	CONSTRAINT "transport_routes_code_key" UNIQUE("code"),
	CONSTRAINT "transport_routes_monthly_fee_check" CHECK (monthly_fee >= (0)::numeric)
);
--> statement-breakpoint
CREATE TABLE "vehicles" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "vehicles_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"registration_number" text NOT NULL,
	"capacity" smallint NOT NULL,
	"insurance_expires_on" date,
	"fitness_expires_on" date,
	CONSTRAINT "vehicles_registration_number_key" UNIQUE("registration_number"),
	CONSTRAINT "vehicles_capacity_check" CHECK (capacity > 0)
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "book_copies" ADD CONSTRAINT "book_copies_book_title_id_fkey" FOREIGN KEY ("book_title_id") REFERENCES "public"."book_titles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "book_titles" ADD CONSTRAINT "book_titles_subject_id_fkey" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_events" ADD CONSTRAINT "calendar_events_academic_year_id_fkey" FOREIGN KEY ("academic_year_id") REFERENCES "public"."academic_years"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drivers" ADD CONSTRAINT "drivers_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hostel_allocations" ADD CONSTRAINT "hostel_allocations_bed_id_fkey" FOREIGN KEY ("bed_id") REFERENCES "public"."hostel_beds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hostel_allocations" ADD CONSTRAINT "hostel_allocations_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hostel_beds" ADD CONSTRAINT "hostel_beds_hostel_room_id_fkey" FOREIGN KEY ("hostel_room_id") REFERENCES "public"."hostel_rooms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hostel_rooms" ADD CONSTRAINT "hostel_rooms_hostel_id_fkey" FOREIGN KEY ("hostel_id") REFERENCES "public"."hostels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hostels" ADD CONSTRAINT "hostels_warden_id_fkey" FOREIGN KEY ("warden_id") REFERENCES "public"."staff"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "library_fines" ADD CONSTRAINT "library_fines_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "public"."library_loans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "library_fines" ADD CONSTRAINT "library_fines_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "library_loans" ADD CONSTRAINT "library_loans_book_copy_id_fkey" FOREIGN KEY ("book_copy_id") REFERENCES "public"."book_copies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "library_loans" ADD CONSTRAINT "library_loans_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "public"."library_members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "library_members" ADD CONSTRAINT "library_members_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "library_members" ADD CONSTRAINT "library_members_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_recipients" ADD CONSTRAINT "message_recipients_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_recipients" ADD CONSTRAINT "message_recipients_recipient_user_id_fkey" FOREIGN KEY ("recipient_user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_sender_user_id_fkey" FOREIGN KEY ("sender_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notice_audiences" ADD CONSTRAINT "notice_audiences_notice_id_fkey" FOREIGN KEY ("notice_id") REFERENCES "public"."notices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notice_audiences" ADD CONSTRAINT "notice_audiences_role_id_fkey" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notice_audiences" ADD CONSTRAINT "notice_audiences_section_id_fkey" FOREIGN KEY ("section_id") REFERENCES "public"."sections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_published_by_fkey" FOREIGN KEY ("published_by") REFERENCES "public"."staff"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "route_stops" ADD CONSTRAINT "route_stops_route_id_fkey" FOREIGN KEY ("route_id") REFERENCES "public"."transport_routes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transport_assignments" ADD CONSTRAINT "transport_assignments_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "public"."students"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transport_assignments" ADD CONSTRAINT "transport_assignments_academic_year_id_fkey" FOREIGN KEY ("academic_year_id") REFERENCES "public"."academic_years"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transport_assignments" ADD CONSTRAINT "transport_assignments_stop_id_fkey" FOREIGN KEY ("stop_id") REFERENCES "public"."route_stops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transport_routes" ADD CONSTRAINT "transport_routes_vehicle_id_fkey" FOREIGN KEY ("vehicle_id") REFERENCES "public"."vehicles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transport_routes" ADD CONSTRAINT "transport_routes_driver_id_fkey" FOREIGN KEY ("driver_id") REFERENCES "public"."drivers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity","entity_id");--> statement-breakpoint
CREATE INDEX "book_copies_title_idx" ON "book_copies" USING btree ("book_title_id");--> statement-breakpoint
CREATE INDEX "book_titles_title_idx" ON "book_titles" USING btree ("title");--> statement-breakpoint
CREATE INDEX "calendar_events_starts_idx" ON "calendar_events" USING btree ("starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "hostel_allocations_one_per_bed_idx" ON "hostel_allocations" USING btree ("bed_id") WHERE (ends_on IS NULL);--> statement-breakpoint
CREATE INDEX "hostel_allocations_student_idx" ON "hostel_allocations" USING btree ("student_id");--> statement-breakpoint
CREATE INDEX "library_fines_loan_idx" ON "library_fines" USING btree ("loan_id");--> statement-breakpoint
CREATE INDEX "library_loans_member_idx" ON "library_loans" USING btree ("member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "library_loans_one_open_per_copy_idx" ON "library_loans" USING btree ("book_copy_id") WHERE (returned_on IS NULL);--> statement-breakpoint
CREATE INDEX "message_recipients_recipient_idx" ON "message_recipients" USING btree ("recipient_user_id","read_at");--> statement-breakpoint
CREATE INDEX "messages_sender_idx" ON "messages" USING btree ("sender_user_id","sent_at");--> statement-breakpoint
CREATE INDEX "notice_audiences_notice_idx" ON "notice_audiences" USING btree ("notice_id");--> statement-breakpoint
CREATE INDEX "notice_audiences_section_idx" ON "notice_audiences" USING btree ("section_id");--> statement-breakpoint
CREATE INDEX "notices_published_idx" ON "notices" USING btree ("published_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "transport_assignments_stop_idx" ON "transport_assignments" USING btree ("stop_id");--> statement-breakpoint
CREATE INDEX "transport_routes_driver_idx" ON "transport_routes" USING btree ("driver_id");--> statement-breakpoint
CREATE INDEX "transport_routes_vehicle_idx" ON "transport_routes" USING btree ("vehicle_id");--> statement-breakpoint
INSERT INTO "roles" ("code", "name") VALUES
  ('admin', 'School administrator'), ('principal', 'Principal'), ('teacher', 'Teacher'),
  ('accountant', 'Accountant'), ('librarian', 'Librarian'), ('student', 'Student'), ('guardian', 'Guardian');
