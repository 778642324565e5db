-- Projections as a set (src/projections/<name>/): each keeps its checkpoint in scs_checkpoints under its
-- name, and its state here (`rebuilding` while a rebuild fills its shadow tables) with its last error.
CREATE TABLE scs_projections (
  name text PRIMARY KEY,
  state text NOT NULL DEFAULT 'live',
  last_error text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- onboarding: one row per school, the times of its milestones (the report groups them by period).
CREATE TABLE report_onboarding (
  school_id uuid PRIMARY KEY,
  district text NOT NULL,
  board text NOT NULL,
  requested_at timestamptz NOT NULL,
  activated_at timestamptz,
  failed_at timestamptz,
  deleted_at timestamptz
);
CREATE INDEX report_onboarding_requested_idx ON report_onboarding (requested_at);

-- steps: one row per run of a step or compensation (the event that recorded it: school and revision).
CREATE TABLE report_step_runs (
  school_id uuid NOT NULL,
  revision integer NOT NULL,
  action text NOT NULL,
  kind text NOT NULL,
  attempt integer NOT NULL,
  outcome text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  duration_ms double precision NOT NULL,
  error text,
  PRIMARY KEY (school_id, revision)
);
CREATE INDEX report_step_runs_started_idx ON report_step_runs (started_at);

-- fleet: one row per school, its current status and since when, schema version, certificate expiry.
CREATE TABLE report_fleet (
  school_id uuid PRIMARY KEY,
  slug text NOT NULL,
  district text NOT NULL,
  board text NOT NULL,
  status text NOT NULL,
  status_since timestamptz NOT NULL,
  schema_version text,
  certificate_not_after timestamptz
);
