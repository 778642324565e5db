-- PUBLIC keeps CONNECT and TEMPORARY on a new database, so every school's owner role could connect to
-- the central database (and make temporary tables there). Revoke them where SCS owns this database;
-- SCS's own role keeps them as the owner. A database SCS does not own (or the server's `postgres`
-- database, which other clients rely on) is left to the operator: see README, "Isolation".
DO $$
BEGIN
  IF current_database() <> 'postgres' AND EXISTS (
    SELECT 1 FROM pg_database WHERE datname = current_database() AND pg_has_role(current_user, datdba, 'USAGE')
  ) THEN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  END IF;
END
$$;
