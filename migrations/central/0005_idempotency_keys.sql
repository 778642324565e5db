-- Idempotency-Key on POST /school and DELETE /school/:id: the first answer is kept and replayed
-- for a retry with the same key and request (per API key), for 24 hours.
CREATE TABLE scs_idempotency_keys (
  actor text NOT NULL,
  idempotency_key text NOT NULL,
  request_hash text NOT NULL,
  status integer,
  response jsonb,
  location text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor, idempotency_key)
);
CREATE INDEX scs_idempotency_keys_created_idx ON scs_idempotency_keys (created_at);
