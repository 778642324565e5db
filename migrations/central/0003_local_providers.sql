-- The embedded default providers' state. `local` DNS: a zone SCS keeps itself (exportable as a zone
-- file); `local` certificates: what the local CA issued and revoked.
CREATE TABLE local_dns_zone (
  zone text PRIMARY KEY,
  serial bigint NOT NULL DEFAULT 1
);

CREATE TABLE local_dns_records (
  zone text NOT NULL REFERENCES local_dns_zone (zone),
  name text NOT NULL,
  type text NOT NULL CHECK (type IN ('A', 'CNAME', 'TXT')),
  value text NOT NULL,
  ttl integer NOT NULL CHECK (ttl > 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (zone, name, type)
);

CREATE TABLE local_certificates (
  serial_number text PRIMARY KEY,
  school_id uuid NOT NULL,
  domain text NOT NULL,
  certificate_pem text NOT NULL,
  private_key_pem text NOT NULL,
  not_before timestamptz NOT NULL,
  not_after timestamptz NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revocation_reason text
);
-- At most one live certificate per school and domain: a re-run issue returns it instead of a second.
CREATE UNIQUE INDEX local_certificates_live_idx ON local_certificates (school_id, domain) WHERE revoked_at IS NULL;
