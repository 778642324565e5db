-- The school read model served by GET /school/:id and GET /schools. `document` is the folded school
-- state; the columns are copies for filtering and paging. `revision` makes the projection idempotent.
CREATE TABLE school_read_model (
  id uuid PRIMARY KEY,
  slug text NOT NULL,
  name text NOT NULL,
  district text NOT NULL,
  board text NOT NULL,
  admin_email text NOT NULL,
  phone text NOT NULL,
  database_name text NOT NULL,
  subdomain text NOT NULL,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  revision integer NOT NULL,
  document jsonb NOT NULL
);
CREATE INDEX school_read_model_status_idx ON school_read_model (status, created_at, id);
CREATE INDEX school_read_model_district_idx ON school_read_model (district, created_at, id);
CREATE INDEX school_read_model_board_idx ON school_read_model (board, created_at, id);
CREATE INDEX school_read_model_created_idx ON school_read_model (created_at, id);
CREATE INDEX school_read_model_slug_idx ON school_read_model (slug);

-- The central registry other Syncad apps read to find a school (written by register_school).
CREATE TABLE school_registry (
  school_id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  database_name text NOT NULL UNIQUE,
  subdomain text NOT NULL UNIQUE,
  district text NOT NULL,
  board text NOT NULL,
  admin_email text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);
