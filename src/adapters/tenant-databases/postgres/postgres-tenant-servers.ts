import pg from 'pg';
import { describeError } from '../../../shared/describe-error.js';
import type { AppLogger } from '../../../ports/logger.port.js';
import type { TenantServers, TenantServerStatus } from '../../../ports/tenant-servers.port.js';
import { StepError } from '../../../ports/step-error.js';
import { chooseServer, type TenantServerState } from '../../../domain/school/placement.js';
import { advisoryLockKey } from '../../postgres/sql-migrations.js';
import { copyRows } from './copy-rows.js';
import { PostgresTenantDatabases } from './postgres-tenant-databases.js';
import { ServerProbes } from './server-probes.js';

type Logger = Pick<AppLogger, 'log' | 'warn'>;

const PLACEMENT_LOCK = advisoryLockKey('scs-school-placement');

/**
 * Several PostgreSQL servers, one `PostgresTenantDatabases` each, with the servers' state and the
 * schools' placements in the central database (`scs_tenant_servers`, `scs_school_placements`).
 */
export class PostgresTenantServers implements TenantServers {
  readonly names: readonly string[];
  private readonly servers: Map<string, { url: string; databases: PostgresTenantDatabases }>;
  private readonly probes: ServerProbes;
  private registered?: Promise<void>;

  constructor(
    private readonly central: pg.Pool,
    servers: ReadonlyArray<{ name: string; url: string; databases: PostgresTenantDatabases }>,
    private readonly logger: Logger = { log: () => undefined, warn: () => undefined },
    /** The central database's URL: a tenant server at the same host and port shares its server. */
    private readonly centralUrl?: string,
  ) {
    if (servers.length === 0) throw new Error('at least one tenant server is needed');
    this.names = servers.map((s) => s.name);
    this.servers = new Map(servers.map((s) => [s.name, { url: s.url, databases: s.databases }]));
    this.probes = new ServerProbes(this.names.map((name) => ({ name, url: this.servers.get(name)!.url })));
  }

  on(server: string): PostgresTenantDatabases {
    const found = this.servers.get(server);
    if (!found) {
      const listed = this.names.join(', ');
      throw StepError.permanent(`tenant server "${server}" is not configured (SCS_TENANT_SERVERS lists ${listed})`);
    }
    return found.databases;
  }

  endpoint(server: string): { host: string; port: number } {
    const url = this.servers.get(server)?.url;
    if (!url) throw StepError.permanent(`tenant server "${server}" is not configured`);
    const { hostname, port } = new URL(url);
    return { host: hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(port || 5432) };
  }

  sharesCentral(server: string): boolean {
    const url = this.servers.get(server)?.url;
    return !!url && !!this.centralUrl && new URL(url).host === new URL(this.centralUrl).host;
  }

  currentSchemaVersion(): string {
    return this.on(this.names[0]).currentSchemaVersion();
  }

  /** Brings the template forward on every server; one that is down is reported and done at its first school. */
  async ensureTemplates(): Promise<void> {
    await this.register();
    await Promise.all(
      this.names.map(async (name) => {
        await this.on(name)
          .ensureTemplate()
          .catch((error) => {
            this.logger.warn(
              `tenant server ${name}: cannot prepare the school template (${describeError(error)}); ` +
                'its schools wait for it, new schools go to the others',
            );
          });
      }),
    );
  }

  /** From now on each server keeps its spare template clones ready (the service calls it, the CLI does not). */
  keepSpares(): void {
    for (const { databases } of this.servers.values()) databases.keepSpares();
  }

  async place(schoolId: string): Promise<string> {
    const known = await this.placementOf(schoolId);
    if (known) return known;
    await this.register();
    const probes = await this.probes.all();
    const client = await this.central.connect();
    try {
      await client.query('BEGIN');
      // One placement at a time per central database, so each one counts the ones before it.
      await client.query('SELECT pg_advisory_xact_lock($1)', [PLACEMENT_LOCK]);
      const again = await client.query<{ server: string }>(
        'SELECT server FROM scs_school_placements WHERE school_id = $1',
        [schoolId],
      );
      if (again.rows[0]) {
        await client.query('COMMIT');
        return again.rows[0].server;
      }
      const rows = await this.loads(client);
      const chosen = chooseServer(rows.map((r) => ({ ...r, reachable: probes.get(r.name)?.reachable ?? false })));
      if (!chosen) {
        await client.query('ROLLBACK');
        const why = rows
          .map(
            (r) =>
              `${r.name}: ${r.state}, ${r.schools}${r.capacity ? `/${r.capacity}` : ''} schools, ` +
              (probes.get(r.name)?.reachable ? 'reachable' : 'unreachable'),
          )
          .join('; ');
        throw StepError.transient(`no tenant server can take a school now (${why})`);
      }
      await client.query('INSERT INTO scs_school_placements (school_id, server) VALUES ($1, $2)', [schoolId, chosen]);
      await client.query('COMMIT');
      return chosen;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async placementOf(schoolId: string): Promise<string | undefined> {
    const rows = await this.central.query<{ server: string }>(
      'SELECT server FROM scs_school_placements WHERE school_id = $1',
      [schoolId],
    );
    return rows.rows[0]?.server;
  }

  async release(schoolId: string): Promise<void> {
    await this.central.query('DELETE FROM scs_school_placements WHERE school_id = $1', [schoolId]);
  }

  async movePlacement(schoolId: string, server: string): Promise<void> {
    this.on(server);
    await this.central.query(
      `INSERT INTO scs_school_placements (school_id, server) VALUES ($1, $2)
         ON CONFLICT (school_id) DO UPDATE SET server = EXCLUDED.server, placed_at = now()`,
      [schoolId, server],
    );
  }

  async status(): Promise<TenantServerStatus[]> {
    await this.register();
    const [probes, rows] = await Promise.all([this.probes.all(), this.loads(this.central)]);
    return Promise.all(
      rows.map(async (r) => {
        const probe = probes.get(r.name) ?? { reachable: false };
        const spares = probe.reachable
          ? await this.on(r.name)
              .spareCount()
              .catch(() => undefined)
          : undefined;
        return { ...r, ...probe, ...(spares === undefined ? {} : { spares }) };
      }),
    );
  }

  async setState(server: string, state: TenantServerState, capacity?: number | null): Promise<void> {
    this.on(server);
    await this.register();
    await this.central.query(
      `UPDATE scs_tenant_servers SET state = $2, updated_at = now(),
         capacity = CASE WHEN $4 THEN $3::int ELSE capacity END WHERE name = $1`,
      [server, state, capacity ?? null, capacity !== undefined],
    );
  }

  async copyDatabase(databaseName: string, from: string, to: string): Promise<{ tables: number; rows: number }> {
    const source = await this.on(from).connectTo(databaseName);
    let target: pg.Client | undefined;
    try {
      const pid = (await source.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await this.on(from).closeExcept(databaseName, false, pid);
      target = await this.on(to).connectTo(databaseName);
      return await copyRows(source, target);
    } finally {
      await source.end().catch(() => undefined);
      await target?.end().catch(() => undefined);
    }
  }

  /** Closes each server's kept sessions (at shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.databases.close()));
  }

  /** Configured servers get a row (open, no capacity) the first time this central database sees them. */
  private register(): Promise<void> {
    this.registered ??= this.central
      .query('INSERT INTO scs_tenant_servers (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING', [
        this.names,
      ])
      .then(
        () => undefined,
        (error) => {
          this.registered = undefined;
          throw error;
        },
      );
    return this.registered;
  }

  private async loads(db: Pick<pg.Pool, 'query'>): Promise<Array<Omit<TenantServerStatus, 'reachable'>>> {
    const rows = await db.query<{ name: string; state: TenantServerState; capacity: number | null; schools: number }>(
      `SELECT s.name, s.state, s.capacity, count(p.school_id)::int AS schools
         FROM scs_tenant_servers s LEFT JOIN scs_school_placements p ON p.server = s.name
        WHERE s.name = ANY($1) GROUP BY s.name, s.state, s.capacity`,
      [this.names],
    );
    const byName = new Map(rows.rows.map((r) => [r.name, r]));
    return this.names.flatMap((name) => {
      const r = byName.get(name);
      if (!r) return [];
      return [{ name, state: r.state, schools: r.schools, ...(r.capacity ? { capacity: r.capacity } : {}) }];
    });
  }
}
