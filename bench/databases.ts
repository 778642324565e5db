/**
 * The floors of the provisioning rows: what PostgreSQL itself needs to make a school database, measured
 * with SCS's own adapter (`PostgresTenantDatabases`) on the same server and template as the service.
 */
import { randomBytes } from 'node:crypto';
import { PostgresTenantDatabases } from '../src/adapters/tenant-databases/postgres/postgres-tenant-databases.js';
import { DROPS_AT_ONCE } from './support/server.js';
import { mapLimit, median, sleep } from './support/stats.js';

const schoolDatabaseName = () => `school_${randomBytes(16).toString('hex')}`;

/** Until `databases`' template has `count` spares ready; throws `failure` after `timeoutMs`. */
export async function untilSpares(
  databases: PostgresTenantDatabases,
  count: number,
  timeoutMs: number,
  failure: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await databases.spareCount()) < count) {
    if (Date.now() > deadline) throw new Error(failure);
    await sleep(20);
  }
}

/**
 * The databases it makes stay until `dropAll` (DROP DATABASE is slow, and an embedded server is thrown
 * away whole), so that dropping them costs neither the measurements nor the run's time.
 */
export class DatabaseFloors {
  private readonly made: string[] = [];
  /** Whether the floor keeps spares (from its first spare measurement on). */
  private keeping = false;
  private readonly cloning: PostgresTenantDatabases;
  private readonly emptying: PostgresTenantDatabases;
  private readonly sparing: PostgresTenantDatabases;

  constructor(serverUrl: string) {
    // The service's own template (it builds it at start-up); a template that does not exist makes
    // every create take the empty-database path.
    this.cloning = new PostgresTenantDatabases({ serverUrl });
    // The service's spares of that template (SCS_SPARE_DATABASES' default), taken as the service takes them.
    this.sparing = new PostgresTenantDatabases({ serverUrl, spares: 2 });
    this.emptying = new PostgresTenantDatabases({
      serverUrl,
      templateName: `scs_bench_absent_${randomBytes(4).toString('hex')}`,
    });
  }

  /**
   * Median ms of create + migrate, one database at a time: by template clone, by taking a spare (one
   * is ready before each, untimed: what a school finds when the last one came more than a clone ago), or
   * empty + migrations.
   */
  async createAndMigrate(method: 'template' | 'spare' | 'empty', n: number): Promise<number> {
    const databases = { template: this.cloning, spare: this.sparing, empty: this.emptying }[method];
    if (method === 'spare') {
      await this.sparing.ensureTemplate();
      this.sparing.keepSpares();
      this.keeping = true;
    }
    const times: number[] = [];
    for (let i = -1; i < n; i++) {
      // i = -1: a warm-up (first connections, the template check)
      const name = schoolDatabaseName();
      this.made.push(name);
      if (method === 'spare') await this.spareReady();
      const t0 = performance.now();
      const created = await databases.create(name);
      await databases.migrate(name);
      if (i >= 0) times.push(performance.now() - t0);
      if (created.method !== method)
        throw new Error(`expected ${name} to be created by ${method}, got ${created.method}`);
    }
    return median(times);
  }

  /**
   * Until the floor's spare pool has `count` spares ready again (refilled after a measurement); at once
   * while it keeps none yet (before the first spare measurement).
   */
  async sparesReady(count: number): Promise<void> {
    if (!this.keeping) return;
    await untilSpares(this.sparing, count, 120_000, `the template had fewer than ${count} spares after 120 s`);
  }

  private async spareReady(): Promise<void> {
    await untilSpares(this.sparing, 1, 60_000, 'no spare template clone was made within 60 s');
  }

  /** Wall ms of `n` template clones, `parallel` at a time (what a burst of `n` schools must at least take). */
  async clones(n: number, parallel: number): Promise<number> {
    const names = Array.from({ length: n }, schoolDatabaseName);
    this.made.push(...names);
    const t0 = performance.now();
    await mapLimit(names, parallel, (name) => this.cloning.create(name));
    return performance.now() - t0;
  }

  async dropAll(): Promise<void> {
    await this.sparing.close();
    await mapLimit(this.made.splice(0), DROPS_AT_ONCE, (name) => this.cloning.drop(name));
  }
}
