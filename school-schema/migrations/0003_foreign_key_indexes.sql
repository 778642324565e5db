ALTER TABLE "notice_audiences" ADD COLUMN "id" bigint PRIMARY KEY NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "notice_audiences_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
CREATE INDEX "attendance_sessions_period_idx" ON "attendance_sessions" USING btree ("period_id");--> statement-breakpoint
CREATE INDEX "attendance_sessions_taken_by_idx" ON "attendance_sessions" USING btree ("taken_by");--> statement-breakpoint
CREATE INDEX "audit_log_user_idx" ON "audit_log" USING btree ("user_id","at");--> statement-breakpoint
CREATE INDEX "book_titles_subject_idx" ON "book_titles" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "calendar_events_year_idx" ON "calendar_events" USING btree ("academic_year_id","starts_at");--> statement-breakpoint
CREATE INDEX "departments_head_staff_idx" ON "departments" USING btree ("head_staff_id");--> statement-breakpoint
CREATE INDEX "exam_schedules_class_idx" ON "exam_schedules" USING btree ("class_id");--> statement-breakpoint
CREATE INDEX "exam_schedules_room_idx" ON "exam_schedules" USING btree ("room_id");--> statement-breakpoint
CREATE INDEX "exam_schedules_subject_idx" ON "exam_schedules" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "exams_grade_scale_idx" ON "exams" USING btree ("grade_scale_id");--> statement-breakpoint
CREATE INDEX "fee_structures_class_idx" ON "fee_structures" USING btree ("class_id");--> statement-breakpoint
CREATE INDEX "homework_assigned_by_idx" ON "homework" USING btree ("assigned_by");--> statement-breakpoint
CREATE INDEX "homework_subject_idx" ON "homework" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "hostels_warden_idx" ON "hostels" USING btree ("warden_id");--> statement-breakpoint
CREATE INDEX "invoices_year_idx" ON "invoices" USING btree ("academic_year_id");--> statement-breakpoint
CREATE INDEX "leave_requests_decided_by_idx" ON "leave_requests" USING btree ("decided_by");--> statement-breakpoint
CREATE INDEX "leave_requests_leave_type_idx" ON "leave_requests" USING btree ("leave_type_id");--> statement-breakpoint
CREATE INDEX "leave_requests_pending_idx" ON "leave_requests" USING btree ("starts_on") WHERE (status = 'pending'::text);--> statement-breakpoint
CREATE INDEX "library_fines_payment_idx" ON "library_fines" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "library_fines_unpaid_idx" ON "library_fines" USING btree ("loan_id") WHERE (paid_at IS NULL);--> statement-breakpoint
CREATE INDEX "marks_entered_by_idx" ON "marks" USING btree ("entered_by");--> statement-breakpoint
CREATE INDEX "notice_audiences_role_idx" ON "notice_audiences" USING btree ("role_id");--> statement-breakpoint
CREATE INDEX "notices_published_by_idx" ON "notices" USING btree ("published_by");--> statement-breakpoint
CREATE INDEX "payments_received_by_idx" ON "payments" USING btree ("received_by");--> statement-breakpoint
CREATE INDEX "refunds_approved_by_idx" ON "refunds" USING btree ("approved_by");--> statement-breakpoint
CREATE INDEX "sections_room_idx" ON "sections" USING btree ("room_id");--> statement-breakpoint
CREATE INDEX "student_fee_discounts_approved_by_idx" ON "student_fee_discounts" USING btree ("approved_by");--> statement-breakpoint
CREATE INDEX "student_fee_discounts_year_idx" ON "student_fee_discounts" USING btree ("academic_year_id");--> statement-breakpoint
CREATE INDEX "subject_teachers_subject_idx" ON "subject_teachers" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "subjects_department_idx" ON "subjects" USING btree ("department_id");--> statement-breakpoint
CREATE INDEX "timetable_slots_period_idx" ON "timetable_slots" USING btree ("period_id");--> statement-breakpoint
CREATE INDEX "timetable_slots_subject_idx" ON "timetable_slots" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "transport_assignments_year_idx" ON "transport_assignments" USING btree ("academic_year_id");