-- School schema 0002: attendance, leave, homework, exams and marks, fees and payments.
CREATE TABLE attendance_sessions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  section_id integer NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
  session_date date NOT NULL,
  period_id smallint REFERENCES period_definitions (id),
  taken_by uuid REFERENCES staff (id) ON DELETE SET NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (section_id, session_date, period_id)
);
CREATE INDEX attendance_sessions_date_idx ON attendance_sessions (session_date);

CREATE TABLE student_attendance (
  session_id bigint NOT NULL REFERENCES attendance_sessions (id) ON DELETE CASCADE,
  student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('present', 'absent', 'late', 'excused')),
  remark text,
  PRIMARY KEY (session_id, student_id)
);
CREATE INDEX student_attendance_student_idx ON student_attendance (student_id);

CREATE TABLE staff_attendance (
  staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
  attendance_date date NOT NULL,
  status text NOT NULL CHECK (status IN ('present', 'absent', 'half_day', 'on_leave')),
  check_in time,
  check_out time,
  PRIMARY KEY (staff_id, attendance_date)
);
CREATE INDEX staff_attendance_date_idx ON staff_attendance (attendance_date);

CREATE TABLE leave_types (
  id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  days_per_year smallint NOT NULL DEFAULT 0 CHECK (days_per_year >= 0)
);

CREATE TABLE leave_requests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  staff_id uuid REFERENCES staff (id) ON DELETE CASCADE,
  student_id uuid REFERENCES students (id) ON DELETE CASCADE,
  leave_type_id smallint REFERENCES leave_types (id),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  reason text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
  decided_by uuid REFERENCES staff (id) ON DELETE SET NULL,
  decided_at timestamptz,
  CHECK (ends_on >= starts_on),
  CHECK ((staff_id IS NULL) <> (student_id IS NULL))
);
CREATE INDEX leave_requests_staff_idx ON leave_requests (staff_id);
CREATE INDEX leave_requests_student_idx ON leave_requests (student_id);

CREATE TABLE homework (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  section_id integer NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
  subject_id integer NOT NULL REFERENCES subjects (id),
  assigned_by uuid REFERENCES staff (id) ON DELETE SET NULL,
  title text NOT NULL,
  description text,
  assigned_on date NOT NULL DEFAULT current_date,
  due_on date NOT NULL,
  max_score numeric(6, 2) CHECK (max_score > 0)
);
CREATE INDEX homework_section_idx ON homework (section_id, due_on);

CREATE TABLE homework_submissions (
  homework_id bigint NOT NULL REFERENCES homework (id) ON DELETE CASCADE,
  student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  submitted_at timestamptz NOT NULL DEFAULT now(),
  storage_key text,
  score numeric(6, 2) CHECK (score >= 0),
  feedback text,
  PRIMARY KEY (homework_id, student_id)
);
CREATE INDEX homework_submissions_student_idx ON homework_submissions (student_id);

CREATE TABLE grade_scales (
  id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE
);

CREATE TABLE grade_bands (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  grade_scale_id smallint NOT NULL REFERENCES grade_scales (id) ON DELETE CASCADE,
  grade text NOT NULL,
  min_percent numeric(5, 2) NOT NULL CHECK (min_percent BETWEEN 0 AND 100),
  max_percent numeric(5, 2) NOT NULL CHECK (max_percent BETWEEN 0 AND 100),
  grade_point numeric(4, 2),
  UNIQUE (grade_scale_id, grade),
  CHECK (max_percent >= min_percent)
);

CREATE TABLE exam_types (
  id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  weight_percent numeric(5, 2) NOT NULL DEFAULT 100 CHECK (weight_percent BETWEEN 0 AND 100)
);

CREATE TABLE exams (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  term_id integer NOT NULL REFERENCES terms (id),
  exam_type_id smallint NOT NULL REFERENCES exam_types (id),
  name text NOT NULL,
  grade_scale_id smallint REFERENCES grade_scales (id),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  is_published boolean NOT NULL DEFAULT false,
  UNIQUE (term_id, name),
  CHECK (ends_on >= starts_on)
);
CREATE INDEX exams_type_idx ON exams (exam_type_id);

CREATE TABLE exam_schedules (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  exam_id integer NOT NULL REFERENCES exams (id) ON DELETE CASCADE,
  class_id integer NOT NULL REFERENCES classes (id),
  subject_id integer NOT NULL REFERENCES subjects (id),
  exam_date date NOT NULL,
  starts_at time NOT NULL,
  duration_minutes smallint NOT NULL CHECK (duration_minutes > 0),
  room_id integer REFERENCES rooms (id) ON DELETE SET NULL,
  max_marks numeric(6, 2) NOT NULL CHECK (max_marks > 0),
  pass_marks numeric(6, 2) NOT NULL CHECK (pass_marks >= 0),
  UNIQUE (exam_id, class_id, subject_id),
  CHECK (pass_marks <= max_marks)
);
CREATE INDEX exam_schedules_date_idx ON exam_schedules (exam_date);

CREATE TABLE exam_invigilators (
  exam_schedule_id bigint NOT NULL REFERENCES exam_schedules (id) ON DELETE CASCADE,
  staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
  PRIMARY KEY (exam_schedule_id, staff_id)
);
CREATE INDEX exam_invigilators_staff_idx ON exam_invigilators (staff_id);

CREATE TABLE marks (
  exam_schedule_id bigint NOT NULL REFERENCES exam_schedules (id) ON DELETE CASCADE,
  student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  marks_obtained numeric(6, 2) CHECK (marks_obtained >= 0),
  is_absent boolean NOT NULL DEFAULT false,
  entered_by uuid REFERENCES staff (id) ON DELETE SET NULL,
  entered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (exam_schedule_id, student_id),
  CHECK (is_absent OR marks_obtained IS NOT NULL)
);
CREATE INDEX marks_student_idx ON marks (student_id);

CREATE TABLE report_cards (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  term_id integer NOT NULL REFERENCES terms (id),
  overall_percent numeric(5, 2),
  overall_grade text,
  rank_in_section smallint,
  teacher_remark text,
  issued_at timestamptz,
  UNIQUE (student_id, term_id)
);
CREATE INDEX report_cards_term_idx ON report_cards (term_id);

CREATE TABLE report_card_lines (
  report_card_id bigint NOT NULL REFERENCES report_cards (id) ON DELETE CASCADE,
  subject_id integer NOT NULL REFERENCES subjects (id),
  percent numeric(5, 2),
  grade text,
  remark text,
  PRIMARY KEY (report_card_id, subject_id)
);
CREATE INDEX report_card_lines_subject_idx ON report_card_lines (subject_id);

CREATE TABLE fee_categories (
  id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  is_refundable boolean NOT NULL DEFAULT false
);

CREATE TABLE fee_structures (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  academic_year_id integer NOT NULL REFERENCES academic_years (id),
  class_id integer NOT NULL REFERENCES classes (id),
  fee_category_id smallint NOT NULL REFERENCES fee_categories (id),
  amount numeric(12, 2) NOT NULL CHECK (amount >= 0),
  frequency text NOT NULL CHECK (frequency IN ('once', 'monthly', 'quarterly', 'termly', 'yearly')),
  due_day smallint CHECK (due_day BETWEEN 1 AND 28),
  UNIQUE (academic_year_id, class_id, fee_category_id)
);
CREATE INDEX fee_structures_category_idx ON fee_structures (fee_category_id);

CREATE TABLE fee_discounts (
  id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('percent', 'amount')),
  value numeric(12, 2) NOT NULL CHECK (value >= 0)
);

CREATE TABLE student_fee_discounts (
  student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  fee_discount_id smallint NOT NULL REFERENCES fee_discounts (id),
  academic_year_id integer NOT NULL REFERENCES academic_years (id),
  approved_by uuid REFERENCES staff (id) ON DELETE SET NULL,
  PRIMARY KEY (student_id, fee_discount_id, academic_year_id)
);
CREATE INDEX student_fee_discounts_discount_idx ON student_fee_discounts (fee_discount_id);

CREATE TABLE invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_number text NOT NULL UNIQUE,
  student_id uuid NOT NULL REFERENCES students (id),
  academic_year_id integer NOT NULL REFERENCES academic_years (id),
  issued_on date NOT NULL DEFAULT current_date,
  due_on date NOT NULL,
  total numeric(12, 2) NOT NULL CHECK (total >= 0),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('draft', 'open', 'partially_paid', 'paid', 'void')),
  CHECK (due_on >= issued_on)
);
CREATE INDEX invoices_student_idx ON invoices (student_id, status);
CREATE INDEX invoices_due_idx ON invoices (due_on) WHERE status IN ('open', 'partially_paid');

CREATE TABLE invoice_lines (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_id bigint NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
  fee_structure_id integer REFERENCES fee_structures (id),
  description text NOT NULL,
  amount numeric(12, 2) NOT NULL,
  discount numeric(12, 2) NOT NULL DEFAULT 0 CHECK (discount >= 0)
);
CREATE INDEX invoice_lines_invoice_idx ON invoice_lines (invoice_id);
CREATE INDEX invoice_lines_structure_idx ON invoice_lines (fee_structure_id);

CREATE TABLE payments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  receipt_number text NOT NULL UNIQUE,
  student_id uuid NOT NULL REFERENCES students (id),
  amount numeric(12, 2) NOT NULL CHECK (amount > 0),
  method text NOT NULL CHECK (method IN ('cash', 'card', 'upi', 'bank_transfer', 'cheque', 'online')),
  provider_reference text,
  paid_at timestamptz NOT NULL DEFAULT now(),
  received_by uuid REFERENCES staff (id) ON DELETE SET NULL
);
CREATE INDEX payments_student_idx ON payments (student_id, paid_at);

CREATE TABLE payment_allocations (
  payment_id bigint NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
  invoice_id bigint NOT NULL REFERENCES invoices (id),
  amount numeric(12, 2) NOT NULL CHECK (amount > 0),
  PRIMARY KEY (payment_id, invoice_id)
);
CREATE INDEX payment_allocations_invoice_idx ON payment_allocations (invoice_id);

CREATE TABLE refunds (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payment_id bigint NOT NULL REFERENCES payments (id),
  amount numeric(12, 2) NOT NULL CHECK (amount > 0),
  reason text NOT NULL,
  refunded_at timestamptz NOT NULL DEFAULT now(),
  approved_by uuid REFERENCES staff (id) ON DELETE SET NULL
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id);
