-- School schema 0001: access, people and the academic structure.
CREATE TABLE roles (
  id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL
);

CREATE TABLE permissions (
  id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE,
  description text NOT NULL
);

CREATE TABLE role_permissions (
  role_id smallint NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  permission_id smallint NOT NULL REFERENCES permissions (id) ON DELETE CASCADE,
  PRIMARY KEY (role_id, permission_id)
);
CREATE INDEX role_permissions_permission_idx ON role_permissions (permission_id);

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE,
  display_name text NOT NULL,
  password_hash text,
  is_active boolean NOT NULL DEFAULT true,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_roles (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role_id smallint NOT NULL REFERENCES roles (id),
  PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role_idx ON user_roles (role_id);

CREATE TABLE school_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE academic_years (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  is_current boolean NOT NULL DEFAULT false,
  CHECK (ends_on > starts_on)
);
CREATE UNIQUE INDEX academic_years_one_current_idx ON academic_years (is_current) WHERE is_current;

CREATE TABLE terms (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  academic_year_id integer NOT NULL REFERENCES academic_years (id) ON DELETE CASCADE,
  name text NOT NULL,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  UNIQUE (academic_year_id, name),
  CHECK (ends_on > starts_on)
);

CREATE TABLE departments (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  head_staff_id uuid
);

CREATE TABLE staff (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid UNIQUE REFERENCES users (id) ON DELETE SET NULL,
  employee_number text NOT NULL UNIQUE,
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text,
  phone text,
  designation text NOT NULL,
  department_id integer REFERENCES departments (id) ON DELETE SET NULL,
  joined_on date NOT NULL,
  left_on date,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'on_leave', 'left')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_department_idx ON staff (department_id);
CREATE INDEX staff_name_idx ON staff (last_name, first_name);
ALTER TABLE departments ADD CONSTRAINT departments_head_fk FOREIGN KEY (head_staff_id) REFERENCES staff (id) ON DELETE SET NULL;

CREATE TABLE staff_qualifications (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
  degree text NOT NULL,
  institution text NOT NULL,
  year_awarded smallint CHECK (year_awarded BETWEEN 1950 AND 2100)
);
CREATE INDEX staff_qualifications_staff_idx ON staff_qualifications (staff_id);

CREATE TABLE students (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  admission_number text NOT NULL UNIQUE,
  first_name text NOT NULL,
  last_name text NOT NULL,
  date_of_birth date NOT NULL,
  gender text CHECK (gender IN ('female', 'male', 'other', 'undisclosed')),
  blood_group text,
  address text,
  admitted_on date NOT NULL,
  status text NOT NULL DEFAULT 'enrolled' CHECK (status IN ('enrolled', 'graduated', 'withdrawn', 'suspended')),
  user_id uuid UNIQUE REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX students_name_idx ON students (last_name, first_name);
CREATE INDEX students_status_idx ON students (status);

CREATE TABLE guardians (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text,
  phone text NOT NULL,
  occupation text,
  address text,
  user_id uuid UNIQUE REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX guardians_phone_idx ON guardians (phone);

CREATE TABLE student_guardians (
  student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  guardian_id uuid NOT NULL REFERENCES guardians (id) ON DELETE CASCADE,
  relationship text NOT NULL,
  is_primary boolean NOT NULL DEFAULT false,
  can_pick_up boolean NOT NULL DEFAULT true,
  PRIMARY KEY (student_id, guardian_id)
);
CREATE INDEX student_guardians_guardian_idx ON student_guardians (guardian_id);

CREATE TABLE student_medical_records (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  condition text NOT NULL,
  notes text,
  recorded_on date NOT NULL DEFAULT current_date
);
CREATE INDEX student_medical_records_student_idx ON student_medical_records (student_id);

CREATE TABLE student_documents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  kind text NOT NULL,
  storage_key text NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX student_documents_student_idx ON student_documents (student_id);

CREATE TABLE rooms (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE,
  building text,
  capacity smallint NOT NULL CHECK (capacity > 0),
  kind text NOT NULL DEFAULT 'classroom' CHECK (kind IN ('classroom', 'lab', 'library', 'hall', 'office', 'other'))
);

CREATE TABLE classes (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  grade_level smallint NOT NULL CHECK (grade_level BETWEEN 0 AND 12)
);

CREATE TABLE sections (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  class_id integer NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
  academic_year_id integer NOT NULL REFERENCES academic_years (id),
  name text NOT NULL,
  class_teacher_id uuid REFERENCES staff (id) ON DELETE SET NULL,
  room_id integer REFERENCES rooms (id) ON DELETE SET NULL,
  capacity smallint NOT NULL DEFAULT 40 CHECK (capacity > 0),
  UNIQUE (class_id, academic_year_id, name)
);
CREATE INDEX sections_year_idx ON sections (academic_year_id);
CREATE INDEX sections_teacher_idx ON sections (class_teacher_id);

CREATE TABLE subjects (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  department_id integer REFERENCES departments (id) ON DELETE SET NULL,
  is_elective boolean NOT NULL DEFAULT false
);

CREATE TABLE class_subjects (
  class_id integer NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
  subject_id integer NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  periods_per_week smallint NOT NULL DEFAULT 5 CHECK (periods_per_week BETWEEN 0 AND 60),
  PRIMARY KEY (class_id, subject_id)
);
CREATE INDEX class_subjects_subject_idx ON class_subjects (subject_id);

CREATE TABLE subject_teachers (
  section_id integer NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
  subject_id integer NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
  PRIMARY KEY (section_id, subject_id)
);
CREATE INDEX subject_teachers_staff_idx ON subject_teachers (staff_id);

CREATE TABLE enrollments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  section_id integer NOT NULL REFERENCES sections (id),
  roll_number smallint,
  enrolled_on date NOT NULL DEFAULT current_date,
  left_on date,
  UNIQUE (student_id, section_id),
  UNIQUE (section_id, roll_number)
);
CREATE INDEX enrollments_section_idx ON enrollments (section_id);

CREATE TABLE student_subject_choices (
  enrollment_id bigint NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
  subject_id integer NOT NULL REFERENCES subjects (id),
  PRIMARY KEY (enrollment_id, subject_id)
);
CREATE INDEX student_subject_choices_subject_idx ON student_subject_choices (subject_id);

CREATE TABLE period_definitions (
  id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  starts_at time NOT NULL,
  ends_at time NOT NULL,
  is_break boolean NOT NULL DEFAULT false,
  CHECK (ends_at > starts_at)
);

CREATE TABLE timetable_slots (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  section_id integer NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
  day_of_week smallint NOT NULL CHECK (day_of_week BETWEEN 1 AND 7),
  period_id smallint NOT NULL REFERENCES period_definitions (id),
  subject_id integer NOT NULL REFERENCES subjects (id),
  staff_id uuid REFERENCES staff (id) ON DELETE SET NULL,
  room_id integer REFERENCES rooms (id) ON DELETE SET NULL,
  UNIQUE (section_id, day_of_week, period_id)
);
CREATE INDEX timetable_slots_staff_idx ON timetable_slots (staff_id, day_of_week, period_id);
CREATE INDEX timetable_slots_room_idx ON timetable_slots (room_id, day_of_week, period_id);

CREATE TABLE holidays (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  academic_year_id integer NOT NULL REFERENCES academic_years (id) ON DELETE CASCADE,
  name text NOT NULL,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  CHECK (ends_on >= starts_on)
);
CREATE INDEX holidays_year_idx ON holidays (academic_year_id, starts_on);
