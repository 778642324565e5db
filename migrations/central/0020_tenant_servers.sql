-- Tenant servers (issue 14): the PostgreSQL servers school databases are placed on. Their names and URLs
-- come from SCS_TENANT_SERVERS; their state and capacity are kept here (`npm run scs -- servers …`).
CREATE TABLE IF NOT EXISTS scs_tenant_servers (
  name text PRIMARY KEY,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'draining', 'closed')),
  capacity integer CHECK (capacity IS NULL OR capacity > 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Where each school's database is, from the moment it is chosen (before DatabaseCreated is recorded), so
-- a create_database re-run finds the same server and concurrent placements count each other.
CREATE TABLE IF NOT EXISTS scs_school_placements (
  school_id uuid PRIMARY KEY,
  server text NOT NULL,
  placed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS scs_school_placements_server ON scs_school_placements (server);

-- The registry row says which server a school's database is on, so the school apps know where to connect.
ALTER TABLE school_registry ADD COLUMN IF NOT EXISTS server text;

-- Schools from before placement all live on the central server (tenant server `central`).
UPDATE school_registry SET server = 'central' WHERE server IS NULL;
INSERT INTO scs_school_placements (school_id, server)
  SELECT school_id, 'central' FROM school_registry ON CONFLICT (school_id) DO NOTHING;
