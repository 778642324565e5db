-- School schema 0004: an index behind every foreign key that lacked one.
-- Deleting or re-keying a parent row (a staff member who leaves, a room taken out of use) makes
-- PostgreSQL look up the referencing rows; without these indexes each such lookup scans the whole
-- child table while holding locks. They also serve the obvious joins ("marks entered by", "books on
-- a subject"). 0001-0003 are already applied to live school databases, so this is a new migration.
CREATE INDEX departments_head_staff_idx ON departments (head_staff_id);
CREATE INDEX sections_room_idx ON sections (room_id);
CREATE INDEX subjects_department_idx ON subjects (department_id);
CREATE INDEX subject_teachers_subject_idx ON subject_teachers (subject_id);
CREATE INDEX timetable_slots_period_idx ON timetable_slots (period_id);
CREATE INDEX timetable_slots_subject_idx ON timetable_slots (subject_id);

CREATE INDEX attendance_sessions_period_idx ON attendance_sessions (period_id);
CREATE INDEX attendance_sessions_taken_by_idx ON attendance_sessions (taken_by);
CREATE INDEX leave_requests_leave_type_idx ON leave_requests (leave_type_id);
CREATE INDEX leave_requests_decided_by_idx ON leave_requests (decided_by);
CREATE INDEX leave_requests_pending_idx ON leave_requests (starts_on) WHERE status = 'pending';
CREATE INDEX homework_subject_idx ON homework (subject_id);
CREATE INDEX homework_assigned_by_idx ON homework (assigned_by);
CREATE INDEX exams_grade_scale_idx ON exams (grade_scale_id);
CREATE INDEX exam_schedules_class_idx ON exam_schedules (class_id);
CREATE INDEX exam_schedules_subject_idx ON exam_schedules (subject_id);
CREATE INDEX exam_schedules_room_idx ON exam_schedules (room_id);
CREATE INDEX marks_entered_by_idx ON marks (entered_by);
CREATE INDEX fee_structures_class_idx ON fee_structures (class_id);
CREATE INDEX student_fee_discounts_year_idx ON student_fee_discounts (academic_year_id);
CREATE INDEX student_fee_discounts_approved_by_idx ON student_fee_discounts (approved_by);
CREATE INDEX invoices_year_idx ON invoices (academic_year_id);
CREATE INDEX payments_received_by_idx ON payments (received_by);
CREATE INDEX refunds_approved_by_idx ON refunds (approved_by);

CREATE INDEX transport_assignments_year_idx ON transport_assignments (academic_year_id);
CREATE INDEX book_titles_subject_idx ON book_titles (subject_id);
CREATE INDEX library_fines_payment_idx ON library_fines (payment_id);
CREATE INDEX library_fines_unpaid_idx ON library_fines (loan_id) WHERE paid_at IS NULL;
CREATE INDEX hostels_warden_idx ON hostels (warden_id);
CREATE INDEX notices_published_by_idx ON notices (published_by);
CREATE INDEX notice_audiences_role_idx ON notice_audiences (role_id);
CREATE INDEX calendar_events_year_idx ON calendar_events (academic_year_id, starts_at);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, at);

-- The one table created without a key: rows could not be told apart to update or delete one.
ALTER TABLE notice_audiences ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
