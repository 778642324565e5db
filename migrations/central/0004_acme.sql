-- The `acme` certificate provider's state: its ACME account (one per directory, created once and
-- kept, because an account's rate limits and authorizations belong to its key) and what it issued.
-- Private keys are stored sealed with AES-256-GCM (1-byte version, 12-byte IV, 16-byte tag, ciphertext).
CREATE TABLE acme_accounts (
  directory_url text PRIMARY KEY,
  email text NOT NULL,
  account_key_enc bytea NOT NULL,
  account_url text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE acme_certificates (
  id bigserial PRIMARY KEY,
  -- The nil UUID owns the one wildcard certificate shared by all schools (`wildcard: true`).
  school_id uuid NOT NULL,
  domain text NOT NULL,
  serial_number text NOT NULL,
  not_before timestamptz NOT NULL,
  not_after timestamptz NOT NULL,
  certificate_pem text NOT NULL,
  private_key_enc bytea NOT NULL,
  order_url text NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
-- At most one live certificate per school and domain: a re-run issue returns it instead of ordering again.
CREATE UNIQUE INDEX acme_certificates_live_idx ON acme_certificates (school_id, domain) WHERE revoked_at IS NULL;
