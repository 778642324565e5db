/**
 * How long a new school database takes to become usable (create + migrate): cloned from the migrated
 * template versus created empty and migrated. Creates BENCH_N (default 10) of each, one at a time,
 * prints median and p90 per method and their ratio, and drops everything it made.
 *   npx tsc -p tsconfig.json && node dist/bench/tenant-database-create.js
 * Server: SCS_BENCH_DATABASE_URL (its maintenance database), default postgres://postgres@127.0.0.1:5432/postgres.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresTenantDatabases } from '../src/infrastructure/tenant-databases/postgres/postgres-tenant-databases.js';

const serverUrl = process.env.SCS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const n = Number(process.env.BENCH_N ?? 10);
const run = randomBytes(4).toString('hex');
const templateName = `scs_bench_template_${run}`;

interface Sample {
  create: number;
  migrate: number;
  total: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (v: number) => `${v.toFixed(1).padStart(7)} ms`;

async function measure(databases: PostgresTenantDatabases, method: 'template' | 'empty', names: string[], count = n): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const name = `school_${randomBytes(16).toString('hex')}`;
    names.push(name);
    const t0 = performance.now();
    const created = await databases.create(name);
    const t1 = performance.now();
    await databases.migrate(name);
    const t2 = performance.now();
    if (created.method !== method) throw new Error(`expected ${name} to be created by ${method}, got ${created.method}`);
    samples.push({ create: t1 - t0, migrate: t2 - t1, total: t2 - t0 });
  }
  return samples;
}

function report(label: string, samples: Sample[]): number {
  const col = (k: keyof Sample) => `median ${ms(percentile(samples.map((s) => s[k]), 50))}  p90 ${ms(percentile(samples.map((s) => s[k]), 90))}`;
  console.log(`${label.padEnd(18)} create: ${col('create')} | migrate: ${col('migrate')} | total: ${col('total')}`);
  return percentile(samples.map((s) => s.total), 50);
}

async function main(): Promise<void> {
  const cloning = new PostgresTenantDatabases({ serverUrl, templateName });
  // A template that does not exist makes every create take the empty-database path.
  const emptying = new PostgresTenantDatabases({ serverUrl, templateName: `scs_bench_absent_${run}` });
  const names: string[] = [];
  try {
    const t0 = performance.now();
    await cloning.ensureTemplate();
    console.log(`server ${new URL(serverUrl).host}, schema ${cloning.currentSchemaVersion()}, N=${n}; template built in ${(performance.now() - t0).toFixed(0)} ms`);
    await measure(cloning, 'template', names, 2); // warm-up: first connections and caches
    const template = report('template clone', await measure(cloning, 'template', names));
    const empty = report('empty + migrations', await measure(emptying, 'empty', names));
    console.log(`ratio (empty+migrations / template, medians of total): ${(empty / template).toFixed(2)}x`);
    // Clones take a shared lock, so concurrent schools copy the template in parallel.
    const batch = Array.from({ length: n }, () => `school_${randomBytes(16).toString('hex')}`);
    names.push(...batch);
    const t1 = performance.now();
    const results = await Promise.all(batch.map((name) => cloning.create(name)));
    if (results.some((r) => r.method !== 'template')) throw new Error('a concurrent create did not clone the template');
    const wall = performance.now() - t1;
    console.log(`${n} template clones at once: ${wall.toFixed(0)} ms wall, ${(wall / n).toFixed(1)} ms per school`);
  } finally {
    for (const name of names) await cloning.drop(name);
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(templateName)} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
