import { IN_FLIGHT_STATUSES } from '../../domain/school/state.js';
import type pg from 'pg';
import type { CheckpointStore } from '../../ports/checkpoint-store.port.js';
import type { EventStore } from '../../ports/event-store.port.js';
import { PROJECTIONS } from '../../projections/registry.js';
import { SCHOOL_VIEW_VERSION } from '../../school/view/school-view.js';
import type { LiveCertificate, MetricSources } from './fleet-gauges.js';

/** Beyond this many unapplied events the lag is reported as this number (a scrape reads no more). */
const PROJECTION_LAG_CAP = 10_000;

/**
 * The gauges' readings: the read model for statuses and ages, the event store for the projections' lag,
 * the tenant servers' probes for their reachability.
 */
export function metricSources(parts: {
  pool: pg.Pool;
  store: EventStore;
  checkpoints: CheckpointStore;
  processManager: { status: { running: number; queued: number } };
  tenantServers: { status(): Promise<Array<{ name: string; reachable: boolean }>> };
}): MetricSources {
  return {
    processManager: () => parts.processManager.status,
    async schoolsByStatus() {
      const { rows } = await parts.pool.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM school_read_model GROUP BY status',
      );
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
    async oldestUnfinishedSeconds() {
      const { rows } = await parts.pool.query<{ age: number | null }>(
        // Provisioning counts from the request; an undo, a suspension or a resumption (whose school may be
        // years old) from its last event.
        `SELECT extract(epoch FROM now() - min(CASE status WHEN 'provisioning' THEN created_at ELSE updated_at END))
           ::float8 AS age FROM school_read_model WHERE status = ANY($1)`,
        [IN_FLIGHT_STATUSES],
      );
      return Math.max(0, rows[0]?.age ?? 0);
    },
    certificates: () => liveCertificates(parts.pool),
    projectionLag: () => projectionLag(parts.store, parts.checkpoints),
    async tenantServers() {
      const servers = await parts.tenantServers.status();
      return servers.map(({ name, reachable }) => ({ name, reachable }));
    },
  };
}

/** Each live school's certificate, from the read model's documents. */
async function liveCertificates(pool: pg.Pool): Promise<LiveCertificate[]> {
  // Only the few fields, taken out of the documents by the server.
  const { rows } = await pool.query<{
    id: string;
    slug: string;
    subdomain: string;
    not_after: string | null;
    serial: string | null;
    delivered: string | null;
  }>(
    `SELECT id, slug, subdomain, document #>> '{certificate,notAfter}' AS not_after,
            document #>> '{certificate,serialNumber}' AS serial,
            document #>> '{certificate,delivered,serialNumber}' AS delivered
       FROM school_read_model
      WHERE status = 'active' AND document_version = $1 AND document ? 'certificate'`,
    [SCHOOL_VIEW_VERSION],
  );
  return rows
    .filter((r) => r.not_after && Number.isFinite(Date.parse(r.not_after)))
    .map((r) => ({
      schoolId: r.id,
      slug: r.slug,
      domain: r.subdomain,
      notAfterSeconds: Date.parse(r.not_after!) / 1000,
      delivered: r.delivered !== null && r.delivered === r.serial,
    }));
}

/** Every registered projection, each from its own checkpoint (they are rebuilt and fail separately). */
async function projectionLag(store: EventStore, checkpoints: CheckpointStore): Promise<Record<string, number>> {
  const lags = await Promise.all(
    PROJECTIONS.map(async (projection) => {
      const after = await checkpoints.load(projection.name);
      const streamPrefix = projection.streamPrefix;
      const behind = await store.readAll({ after, streamPrefix, maxCount: PROJECTION_LAG_CAP });
      return [projection.name, behind.length] as const;
    }),
  );
  return Object.fromEntries(lags);
}
