-- The rate limiter's counters (@nestjs/throttler's storage), shared by every replica: one row per
-- throttler key (route, limit name and client or API-key hash), a fixed window and a block.
CREATE TABLE scs_rate_limits (
  key text PRIMARY KEY,
  hits integer NOT NULL,
  expires_at timestamptz NOT NULL,
  blocked_until timestamptz
);
CREATE INDEX scs_rate_limits_expires_idx ON scs_rate_limits (expires_at);
