-- Fleet counts kept by the fleet projection (issue 34): GET /reports/fleet adds up these few rows instead
-- of aggregating one row per school on each request. One row per combination a school has passed through
-- (kept at 0 when none is in it now, so that a fold event by event and one by pages leave the same rows);
-- `schema_version` '' stands for none (a key column cannot be null). Filled by the projection's rebuild,
-- which its runner starts when this table is empty beside a filled report_fleet.
CREATE TABLE report_fleet_counts (
  status text NOT NULL,
  district text NOT NULL,
  board text NOT NULL,
  schema_version text NOT NULL,
  with_certificate boolean NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (status, district, board, schema_version, with_certificate)
);
-- The certificates expiring within 30 days, and the schools stuck in a status, read from an index.
CREATE INDEX report_fleet_certificate_idx ON report_fleet (certificate_not_after)
  WHERE status <> 'deleted' AND certificate_not_after IS NOT NULL;
CREATE INDEX report_fleet_status_since_idx ON report_fleet (status, status_since);
