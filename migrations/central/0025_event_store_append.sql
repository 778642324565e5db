-- An append as one statement: the stream's revision check and the event rows in one call, so that
-- an append outside a transaction is one round trip that commits on its own (before: BEGIN, the
-- stream row, the events, COMMIT). Behaviour as before: `scs_streams` is the lock that serialises
-- writers of a stream, transaction_id keeps its default, the statement trigger still notifies.
-- p_expected: 'no_stream', 'any', 'stream_exists' or a revision. On a wrong expected revision it
-- writes nothing and returns last_revision NULL with the stream's current revision (NULL: no stream).
CREATE FUNCTION scs_append(
  p_stream_id text,
  p_expected text,
  p_ids uuid[],
  p_types text[],
  p_data jsonb[],
  p_metadata jsonb[],
  OUT last_revision integer,
  OUT current_revision integer,
  OUT tx xid8,
  OUT last_position bigint
) LANGUAGE plpgsql AS $$
DECLARE
  n constant integer := cardinality(p_ids);
BEGIN
  IF n IS NULL OR n = 0 THEN
    RAISE EXCEPTION 'append to %: no events', p_stream_id USING ERRCODE = '22023';
  END IF;
  IF p_expected = 'no_stream' THEN
    -- DO NOTHING waits for a concurrent creator and then yields no row, without an error.
    INSERT INTO scs_streams (stream_id, revision) VALUES (p_stream_id, n - 1)
      ON CONFLICT (stream_id) DO NOTHING RETURNING revision INTO last_revision;
  ELSIF p_expected = 'any' THEN
    INSERT INTO scs_streams AS s (stream_id, revision) VALUES (p_stream_id, n - 1)
      ON CONFLICT (stream_id) DO UPDATE SET revision = s.revision + n RETURNING revision INTO last_revision;
  ELSIF p_expected = 'stream_exists' THEN
    UPDATE scs_streams SET revision = revision + n WHERE stream_id = p_stream_id RETURNING revision INTO last_revision;
  ELSE
    UPDATE scs_streams SET revision = revision + n WHERE stream_id = p_stream_id AND revision = p_expected::integer
      RETURNING revision INTO last_revision;
  END IF;
  IF last_revision IS NULL THEN
    SELECT s.revision INTO current_revision FROM scs_streams s WHERE s.stream_id = p_stream_id;
    RETURN;
  END IF;
  current_revision := last_revision;
  -- ORDER BY keeps sequence numbers in revision order within the append.
  WITH inserted AS (
    INSERT INTO scs_events (event_id, stream_id, revision, type, data, metadata)
    SELECT e.id, p_stream_id, last_revision - n + e.i::integer, e.type, e.data, e.metadata
      FROM unnest(p_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS e(id, type, data, metadata, i)
     ORDER BY e.i
    RETURNING scs_events.global_position
  )
  SELECT max(inserted.global_position) INTO last_position FROM inserted;
  tx := pg_current_xact_id();
END
$$;
