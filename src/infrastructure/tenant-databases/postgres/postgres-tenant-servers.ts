import pg from 'pg';
import { describeError } from '../../../application/describe-error.js';
import type { AppLogger } from '../../../application/ports/logger.port.js';
import type { TenantServers, TenantServerStatus } from '../../../application/ports/tenant-servers.port.js';
import { StepError } from '../../../application/ports/step-error.js';
import { chooseServer, type TenantServerState } from '../../../domain/school/placement.js';
import { guardClient } from '../../postgres/connection-faults.js';
import { KEEPALIVE } from '../../postgres/deadlines.js';
import { advisoryLockKey } from '../../postgres/sql-migrations.js';
import { PostgresTenantDatabases } from './postgres-tenant-databases.js';

type Logger = Pick<AppLogger, 'log' | 'warn'>;

/** How long a probe's answer stands: placements in a burst share it instead of each opening connections. */
const PROBE_TTL_MS = 1000;
const PROBE_TIMEOUT_MS = 2000;
const PLACEMENT_LOCK = advisoryLockKey('scs-school-placement');

interface Probe {
  at: number;
  result: Promise<{ reachable: boolean; error?: string }>;
}

/**
 * Several PostgreSQL servers, one `PostgresTenantDatabases` each, with the servers' state and the
 * schools' placements in the central database (`scs_tenant_servers`, `scs_school_placements`).
 */
export class PostgresTenantServers implements TenantServers {
  readonly names: readonly string[];
  private readonly servers: Map<string, { url: string; databases: PostgresTenantDatabases }>;
  private readonly probes = new Map<string, Probe>();
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
    const probes = await this.probeAll();
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
    const [probes, rows] = await Promise.all([this.probeAll(), this.loads(this.central)]);
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

  private async probeAll(): Promise<Map<string, { reachable: boolean; error?: string }>> {
    const now = Date.now();
    const answers = await Promise.all(
      this.names.map(async (name) => {
        let probe = this.probes.get(name);
        if (!probe || now - probe.at > PROBE_TTL_MS) {
          probe = { at: now, result: this.probe(this.servers.get(name)!.url) };
          this.probes.set(name, probe);
        }
        return [name, await probe.result] as const;
      }),
    );
    return new Map(answers);
  }

  private async probe(url: string): Promise<{ reachable: boolean; error?: string }> {
    const client = guardClient(
      new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: PROBE_TIMEOUT_MS,
        query_timeout: PROBE_TIMEOUT_MS,
        ...KEEPALIVE,
      }),
      'tenant server probe',
    );
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { reachable: true };
    } catch (error) {
      return { reachable: false, error: describeError(error) };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

const BATCH = 1000;

/**
 * Every table of the public schema but schema_migrations, in one snapshot of the source, into the target
 * in one transaction: emptied first, foreign keys and triggers off while loading (session_replication_role,
 * which needs a superuser or, on PostgreSQL 15+, that setting granted), generated columns left to the
 * target, then each sequence set to where the source's was.
 */
async function copyRows(source: pg.Client, target: pg.Client): Promise<{ tables: number; rows: number }> {
  await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await target.query('BEGIN');
  try {
    const tables = (
      await source.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations' ORDER BY 1`,
      )
    ).rows.map((r) => r.name);
    await target.query('SET LOCAL session_replication_role = replica');
    const all = tables.map((t) => pg.escapeIdentifier(t)).join(', ');
    if (tables.length > 0) await target.query(`TRUNCATE ${all} CASCADE`);
    let rows = 0;
    for (const table of tables) {
      const t = pg.escapeIdentifier(table);
      const columns = (
        await target.query<{ name: string }>(
          `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0
           AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
          [t],
        )
      ).rows
        .map((r) => pg.escapeIdentifier(r.name))
        .join(', ');
      await source.query(`DECLARE copy_cursor NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS row FROM ${t} t`);
      for (;;) {
        const batch = await source.query<{ row: string }>(`FETCH ${BATCH} FROM copy_cursor`);
        if (batch.rows.length === 0) break;
        await target.query(
          `INSERT INTO ${t} (${columns}) OVERRIDING SYSTEM VALUE
             SELECT ${columns} FROM json_populate_recordset(NULL::${t}, $1::json)`,
          [`[${batch.rows.map((r) => r.row).join(',')}]`],
        );
        rows += batch.rows.length;
      }
      await source.query('CLOSE copy_cursor');
    }
    const sequences = await source.query<{ name: string; last_value: string | null; is_called: boolean }>(
      `SELECT sequencename AS name, last_value::text, last_value IS NOT NULL AS is_called FROM pg_sequences
        WHERE schemaname = 'public'`,
    );
    for (const s of sequences.rows.filter((s) => s.last_value !== null)) {
      await target.query('SELECT setval($1::regclass, $2::bigint, true)', [pg.escapeIdentifier(s.name), s.last_value]);
    }
    await target.query('COMMIT');
    return { tables: tables.length, rows };
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await source.query('ROLLBACK').catch(() => undefined);
  }
}
