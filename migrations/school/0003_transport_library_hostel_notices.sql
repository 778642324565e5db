-- School schema 0003: transport, library, hostel, communication and the audit log.
CREATE TABLE vehicles (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  registration_number text NOT NULL UNIQUE,
  capacity smallint NOT NULL CHECK (capacity > 0),
  insurance_expires_on date,
  fitness_expires_on date
);

CREATE TABLE drivers (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  staff_id uuid UNIQUE REFERENCES staff (id) ON DELETE SET NULL,
  name text NOT NULL,
  licence_number text NOT NULL UNIQUE,
  licence_expires_on date NOT NULL,
  phone text NOT NULL
);

CREATE TABLE transport_routes (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  vehicle_id integer REFERENCES vehicles (id) ON DELETE SET NULL,
  driver_id integer REFERENCES drivers (id) ON DELETE SET NULL,
  monthly_fee numeric(10, 2) NOT NULL DEFAULT 0 CHECK (monthly_fee >= 0)
);
CREATE INDEX transport_routes_vehicle_idx ON transport_routes (vehicle_id);
CREATE INDEX transport_routes_driver_idx ON transport_routes (driver_id);

CREATE TABLE route_stops (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  route_id integer NOT NULL REFERENCES transport_routes (id) ON DELETE CASCADE,
  name text NOT NULL,
  sequence smallint NOT NULL CHECK (sequence > 0),
  pickup_time time,
  drop_time time,
  latitude numeric(9, 6),
  longitude numeric(9, 6),
  UNIQUE (route_id, sequence)
);

CREATE TABLE transport_assignments (
  student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  academic_year_id integer NOT NULL REFERENCES academic_years (id),
  stop_id integer NOT NULL REFERENCES route_stops (id),
  starts_on date NOT NULL,
  ends_on date,
  PRIMARY KEY (student_id, academic_year_id)
);
CREATE INDEX transport_assignments_stop_idx ON transport_assignments (stop_id);

CREATE TABLE book_titles (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  isbn text UNIQUE,
  title text NOT NULL,
  authors text NOT NULL,
  publisher text,
  published_year smallint,
  subject_id integer REFERENCES subjects (id) ON DELETE SET NULL
);
CREATE INDEX book_titles_title_idx ON book_titles (title);

CREATE TABLE book_copies (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  book_title_id bigint NOT NULL REFERENCES book_titles (id) ON DELETE CASCADE,
  accession_number text NOT NULL UNIQUE,
  shelf text,
  condition text NOT NULL DEFAULT 'good' CHECK (condition IN ('new', 'good', 'worn', 'damaged', 'lost')),
  acquired_on date
);
CREATE INDEX book_copies_title_idx ON book_copies (book_title_id);

CREATE TABLE library_members (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  student_id uuid UNIQUE REFERENCES students (id) ON DELETE CASCADE,
  staff_id uuid UNIQUE REFERENCES staff (id) ON DELETE CASCADE,
  card_number text NOT NULL UNIQUE,
  max_loans smallint NOT NULL DEFAULT 3 CHECK (max_loans > 0),
  CHECK ((student_id IS NULL) <> (staff_id IS NULL))
);

CREATE TABLE library_loans (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  book_copy_id bigint NOT NULL REFERENCES book_copies (id),
  member_id bigint NOT NULL REFERENCES library_members (id),
  borrowed_on date NOT NULL DEFAULT current_date,
  due_on date NOT NULL,
  returned_on date,
  CHECK (due_on >= borrowed_on)
);
CREATE UNIQUE INDEX library_loans_one_open_per_copy_idx ON library_loans (book_copy_id) WHERE returned_on IS NULL;
CREATE INDEX library_loans_member_idx ON library_loans (member_id);

CREATE TABLE library_fines (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  loan_id bigint NOT NULL REFERENCES library_loans (id) ON DELETE CASCADE,
  amount numeric(8, 2) NOT NULL CHECK (amount > 0),
  paid_at timestamptz,
  payment_id bigint REFERENCES payments (id)
);
CREATE INDEX library_fines_loan_idx ON library_fines (loan_id);

CREATE TABLE hostels (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('boys', 'girls', 'mixed', 'staff')),
  warden_id uuid REFERENCES staff (id) ON DELETE SET NULL
);

CREATE TABLE hostel_rooms (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hostel_id integer NOT NULL REFERENCES hostels (id) ON DELETE CASCADE,
  room_number text NOT NULL,
  floor smallint,
  UNIQUE (hostel_id, room_number)
);

CREATE TABLE hostel_beds (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hostel_room_id integer NOT NULL REFERENCES hostel_rooms (id) ON DELETE CASCADE,
  label text NOT NULL,
  UNIQUE (hostel_room_id, label)
);

CREATE TABLE hostel_allocations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bed_id integer NOT NULL REFERENCES hostel_beds (id),
  student_id uuid NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  starts_on date NOT NULL,
  ends_on date,
  CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE UNIQUE INDEX hostel_allocations_one_per_bed_idx ON hostel_allocations (bed_id) WHERE ends_on IS NULL;
CREATE INDEX hostel_allocations_student_idx ON hostel_allocations (student_id);

CREATE TABLE notices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title text NOT NULL,
  body text NOT NULL,
  published_by uuid REFERENCES staff (id) ON DELETE SET NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  is_pinned boolean NOT NULL DEFAULT false
);
CREATE INDEX notices_published_idx ON notices (published_at DESC);

CREATE TABLE notice_audiences (
  notice_id bigint NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
  role_id smallint REFERENCES roles (id),
  section_id integer REFERENCES sections (id) ON DELETE CASCADE,
  CHECK (role_id IS NOT NULL OR section_id IS NOT NULL)
);
CREATE INDEX notice_audiences_notice_idx ON notice_audiences (notice_id);
CREATE INDEX notice_audiences_section_idx ON notice_audiences (section_id);

CREATE TABLE calendar_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  academic_year_id integer REFERENCES academic_years (id) ON DELETE CASCADE,
  title text NOT NULL,
  description text,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  location text,
  CHECK (ends_at >= starts_at)
);
CREATE INDEX calendar_events_starts_idx ON calendar_events (starts_at);

CREATE TABLE messages (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sender_user_id uuid NOT NULL REFERENCES users (id),
  subject text NOT NULL,
  body text NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_sender_idx ON messages (sender_user_id, sent_at);

CREATE TABLE message_recipients (
  message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  recipient_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  read_at timestamptz,
  PRIMARY KEY (message_id, recipient_user_id)
);
CREATE INDEX message_recipients_recipient_idx ON message_recipients (recipient_user_id, read_at);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  action text NOT NULL,
  entity text NOT NULL,
  entity_id text,
  details jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at_idx ON audit_log (at);

INSERT INTO roles (code, name) VALUES
  ('admin', 'School administrator'), ('principal', 'Principal'), ('teacher', 'Teacher'),
  ('accountant', 'Accountant'), ('librarian', 'Librarian'), ('student', 'Student'), ('guardian', 'Guardian');
