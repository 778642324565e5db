-- Sessions named `scs-no-appends` (the pool under TypeORM: projections, the registry, the read side)
-- never append events, so a subscription's horizon does not wait for their transactions (a projection's
-- write used to hold every other subscriber back until it committed). This trigger makes that a rule
-- rather than a habit: such a session that tries to append fails instead of risking a skipped event.
CREATE FUNCTION scs_events_refuse_no_appends() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('application_name') = 'scs-no-appends' THEN
    RAISE EXCEPTION 'a session named scs-no-appends may not append events: subscriptions do not wait for its transactions'
      USING ERRCODE = '42501';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER scs_events_refuse_no_appends BEFORE INSERT ON scs_events
  FOR EACH STATEMENT EXECUTE FUNCTION scs_events_refuse_no_appends();
