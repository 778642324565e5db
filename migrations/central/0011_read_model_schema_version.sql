-- The school schema version of each school's database, for GET /schools?schemaVersion=. Rows written
-- before it are filled from the PostgreSQL event store's last MigrationsApplied or SchoolSchemaUpgraded
-- (their documents too, so GET /school/:id shows it); with EventStoreDB run `scs projections rebuild`.
ALTER TABLE school_read_model ADD COLUMN schema_version text;
CREATE INDEX school_read_model_schema_version_idx ON school_read_model (schema_version, created_at, id);

UPDATE school_read_model r
   SET schema_version = v.version, document = r.document || jsonb_build_object('schemaVersion', v.version)
  FROM (
    SELECT DISTINCT ON (stream_id) substr(stream_id, 8)::uuid AS id,
           coalesce(data->>'to', data->>'schemaVersion') AS version
      FROM scs_events
     WHERE stream_id LIKE 'school-%' AND type IN ('MigrationsApplied', 'SchoolSchemaUpgraded')
     ORDER BY stream_id, revision DESC
  ) v
 WHERE r.id = v.id;
