-- The PostgreSQL event store. One row per stream holds its last revision, which is what appends check
-- for optimistic concurrency. Each event records the id of the transaction that wrote it: readers of
-- the whole log stay below the oldest running transaction and order by (transaction_id,
-- global_position), so an event whose transaction commits late is never skipped.
CREATE TABLE scs_streams (
  stream_id text PRIMARY KEY,
  revision integer NOT NULL
);

CREATE TABLE scs_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id uuid NOT NULL UNIQUE,
  stream_id text NOT NULL,
  revision integer NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (global_position),
  UNIQUE (stream_id, revision)
);
CREATE INDEX scs_events_transaction_position_idx ON scs_events (transaction_id, global_position);

-- Wakes subscribers (LISTEN scs_events) when a transaction that appended commits. They poll as well,
-- because an event can become readable later, when an older transaction elsewhere finishes.
CREATE FUNCTION scs_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('scs_events', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER scs_events_notify AFTER INSERT ON scs_events FOR EACH STATEMENT EXECUTE FUNCTION scs_events_notify();

-- Positions of subscribers (process manager, projections); a projection saves its row in the same
-- transaction as the rows it wrote.
CREATE TABLE scs_checkpoints (
  name text PRIMARY KEY,
  commit_position bigint NOT NULL,
  prepare_position bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
