import pg from 'pg';
import { maintenanceUrl } from '../../src/infrastructure/postgres/central-database.js';
import { startTestPostgres, stopTestPostgres } from '../../test/support/test-postgres.js';
import type { Results } from './report.js';

/**
 * The PostgreSQL server every benchmark of a run uses: SCS_BENCH_DATABASE_URL, DATABASE_URL or
 * SCS_TEST_DATABASE_URL (only its server: the bench makes databases of its own there and drops them),
 * else an embedded server started for the run with fsync on.
 */
export class BenchServer {
  private constructor(readonly url: string, readonly source: 'embedded' | 'configured') {}

  static async start(): Promise<BenchServer> {
    const env = process.env;
    const configured = env.SCS_BENCH_DATABASE_URL ?? env.DATABASE_URL ?? env.SCS_TEST_DATABASE_URL;
    if (configured) return new BenchServer(maintenanceUrl(configured), 'configured');
    return new BenchServer(await startTestPostgres({ durable: true }), 'embedded');
  }

  /** URL of a database of this server. */
  database(name: string): string {
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
    await this.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    return this.database(name);
  }

  async dropDatabase(name: string): Promise<void> {
    await this.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  }

  async describe(): Promise<Results['server']> {
    const settings: Record<string, string> = {};
    for (const name of ['server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections']) {
      settings[name] = (await this.query<{ v: string }>(`SELECT current_setting($1) AS v`, [name]))[0].v;
    }
    return { source: this.source, version: settings.server_version, settings };
  }

  async stop(): Promise<void> {
    if (this.source === 'embedded') await stopTestPostgres();
  }
}
