import pg from 'pg';
import { maintenanceUrl } from '../../src/adapters/postgres/central-database.js';
import { startTestPostgres, stopTestPostgres } from '../../test/support/test-postgres.js';
import type { Results } from './report.js';
import { mapLimit } from './stats.js';

/** Each DROP DATABASE waits for a checkpoint; drops under way together share one. */
export const DROPS_AT_ONCE = 16;

/**
 * The PostgreSQL server every benchmark of a run uses: SCS_BENCH_DATABASE_URL, DATABASE_URL or
 * SCS_TEST_DATABASE_URL (only its server: the bench makes databases of its own there and drops them),
 * else an embedded server started for the run with fsync on.
 * Databases are dropped at `stop`, not when a benchmark is done with them: with fsync on, DROP DATABASE
 * waits for a checkpoint (minutes on a busy disk), and an embedded server is thrown away whole.
 */
export class BenchServer {
  private readonly owned: string[] = [];

  private constructor(
    readonly url: string,
    readonly source: 'embedded' | 'configured',
  ) {}

  static async start(): Promise<BenchServer> {
    const env = process.env;
    const configured = env.SCS_BENCH_DATABASE_URL ?? env.DATABASE_URL ?? env.SCS_TEST_DATABASE_URL;
    if (configured) return new BenchServer(maintenanceUrl(configured), 'configured');
    return new BenchServer(await startTestPostgres({ durable: true }), 'embedded');
  }

  /** URL of a database of this server that the bench makes (or has SCS make); dropped at `stop`. */
  own(name: string): string {
    this.owned.push(name);
    return this.database(name);
  }

  private database(name: string): string {
    const url = new URL(this.url);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async createDatabase(name: string): Promise<string> {
    const url = this.own(name);
    await this.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    return url;
  }

  async describe(): Promise<Results['server']> {
    const settings: Record<string, string> = {};
    for (const name of ['server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections']) {
      settings[name] = (await this.query<{ v: string }>(`SELECT current_setting($1) AS v`, [name]))[0].v;
    }
    return { source: this.source, version: settings.server_version, settings };
  }

  async stop(): Promise<void> {
    if (this.source === 'embedded') return stopTestPostgres();
    await mapLimit(this.owned.splice(0), DROPS_AT_ONCE, (name) =>
      this.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
    );
  }
}
