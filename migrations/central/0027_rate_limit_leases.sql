-- A replica takes a key's hits from the shared count a few at a time (a lease) and counts them out in
-- memory, so that a request seldom waits for the database. A lease is an eighth of what the window has
-- left, at least 1 and at most p_max: near the limit every hit is counted here one by one, as before.
-- Window and block are those of one hit at a time: a window starts at a key's first hit and lasts p_ttl_ms;
-- the hit that passes the limit blocks the key for p_block_ms (0: to the window's end), during which
-- nothing is counted; after a block the count starts again. The database's clock serves every replica.
CREATE FUNCTION scs_rate_limit_take(p_key text, p_ttl_ms int, p_limit int, p_block_ms int, p_max int)
RETURNS TABLE (hits int, granted int, expires_in float8, blocked_in float8)
LANGUAGE plpgsql AS $$
DECLARE
  r scs_rate_limits%ROWTYPE;
  base int;
  lease int;
BEGIN
  INSERT INTO scs_rate_limits (key, hits, expires_at) VALUES (p_key, 0, now() + p_ttl_ms * interval '1 millisecond')
    ON CONFLICT (key) DO NOTHING;
  SELECT * INTO r FROM scs_rate_limits t WHERE t.key = p_key FOR UPDATE;
  IF r.blocked_until > now() THEN
    RETURN QUERY SELECT r.hits, 0, extract(epoch FROM r.expires_at - now())::float8,
      extract(epoch FROM r.blocked_until - now())::float8;
    RETURN;
  END IF;
  base := r.hits;
  IF r.blocked_until IS NOT NULL OR r.expires_at <= now() THEN
    base := 0;
    r.blocked_until := NULL;
    IF r.expires_at <= now() THEN
      r.expires_at := now() + p_ttl_ms * interval '1 millisecond';
    END IF;
  END IF;
  lease := CASE WHEN base >= p_limit THEN 1 ELSE greatest(1, least(p_max, (p_limit - base) / 8)) END;
  r.hits := base + lease;
  IF r.hits > p_limit THEN
    lease := 0;
    r.blocked_until := CASE WHEN p_block_ms > 0 THEN now() + p_block_ms * interval '1 millisecond'
                            ELSE r.expires_at END;
  END IF;
  UPDATE scs_rate_limits t SET hits = r.hits, expires_at = r.expires_at, blocked_until = r.blocked_until
    WHERE t.key = p_key;
  RETURN QUERY SELECT r.hits, lease, extract(epoch FROM r.expires_at - now())::float8,
    extract(epoch FROM r.blocked_until - now())::float8;
END $$;
