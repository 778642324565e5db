import { NO_APPENDS_APPLICATION } from '../../postgres/central-database.js';

/**
 * The transaction horizon of the store's own database: the oldest transaction id that may still add
 * events (anything below it has ended), taken from the statement's own snapshot. That snapshot's
 * running transactions (`xip`) count unless pg_stat_activity shows them running in another database,
 * which cannot write to scs_events: a CREATE DATABASE (run from the maintenance database), a school's
 * migrations or another tenant's work do not hold delivery back, as the cluster-wide `pg_snapshot_xmin`
 * would. Nor do sessions of this database named `scs-no-appends` (NO_APPENDS_APPLICATION: the
 * projections', the registry's), which central migration 0029 forbids to append, so that one
 * projection's write does not hold every other subscriber back until it commits. A transaction shown
 * in no database (one that ended meanwhile, or a prepared one) still counts; one that starts later gets
 * an id at or above `xmax`.
 * It reads pg_stat_get_activity, what the view pg_stat_activity reads, without the view's joins to
 * pg_database and pg_authid: planning those joins is most of a look's server time, and a subscription
 * looks once per append.
 */
export const HORIZON = `(SELECT least(pg_snapshot_xmax(s.snapshot), (
    SELECT min(x) FROM pg_snapshot_xip(s.snapshot) AS x WHERE x::xid NOT IN (
      SELECT a.backend_xid FROM pg_stat_get_activity(NULL) a
       WHERE a.backend_xid IS NOT NULL
         AND (a.datid IS DISTINCT FROM (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
              OR a.application_name = '${NO_APPENDS_APPLICATION}'))))
  FROM (SELECT pg_current_snapshot() AS snapshot) s)`;
