-- Webhook endpoints (issue 29): where integration events are delivered, with their secrets sealed with
-- AES-256-GCM under the credentials keys' sealing subkey (as the ACME keys), never stored in the clear.
-- During a rotation the previous secret signs too, until previous_secret_until.
CREATE TABLE scs_webhook_endpoints (
  id uuid PRIMARY KEY,
  url text NOT NULL,
  event_types text[] NOT NULL,
  secret_sealed bytea NOT NULL,
  previous_secret_sealed bytea,
  previous_secret_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz,
  disabled_reason text
);

-- Every delivery attempt, for GET /webhooks/:id/deliveries and the retry window (from an event's first attempt).
CREATE TABLE scs_webhook_deliveries (
  id bigserial PRIMARY KEY,
  endpoint_id uuid NOT NULL REFERENCES scs_webhook_endpoints (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  event_type text NOT NULL,
  subject text NOT NULL,
  attempt int NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('delivered', 'failed', 'gone')),
  http_status int,
  latency_ms int NOT NULL,
  error text,
  attempted_at timestamptz NOT NULL
);
CREATE INDEX scs_webhook_deliveries_endpoint_idx ON scs_webhook_deliveries (endpoint_id, id DESC);
CREATE INDEX scs_webhook_deliveries_event_idx ON scs_webhook_deliveries (endpoint_id, event_id);
