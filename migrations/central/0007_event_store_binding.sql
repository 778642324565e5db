-- Which event store this central database's read model, checkpoints and registry were built from.
-- Positions of one store mean nothing in the other, so SCS refuses to start against the other kind.
-- A database that already holds events or checkpoints was built from the PostgreSQL store.
CREATE TABLE scs_event_store_binding (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  kind text NOT NULL CHECK (kind IN ('postgres', 'eventstoredb')),
  bound_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO scs_event_store_binding (kind)
SELECT 'postgres' WHERE EXISTS (SELECT 1 FROM scs_events) OR EXISTS (SELECT 1 FROM scs_checkpoints);
