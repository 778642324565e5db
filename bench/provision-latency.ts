/**
 * POST→active latency: provisions N schools one after another (default 20, BENCH_N) on a running SCS
 * and prints the median, p90, min and max. Start SCS first (`npm start`), then:
 *   SCS_URL=http://localhost:8080 SCS_API_KEY=$(cat .scs-data/api-key) node dist/bench/provision-latency.js
 * The schools are deleted afterwards (BENCH_KEEP=1 keeps them). It polls every 20 ms, which stays
 * under the default rate limit for 20 schools; a 429 is waited out as its Retry-After says.
 */
const base = process.env.SCS_URL ?? 'http://localhost:8080';
const key = process.env.SCS_API_KEY ?? '';
const n = Number(process.env.BENCH_N ?? 20);

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'X-SCS-Key': key, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status === 429) {
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
    return call(method, path, body);
  }
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function untilStatus(id: string, statuses: string[]): Promise<any> {
  for (;;) {
    const school = await call('GET', `/school/${id}`);
    if (statuses.includes(school.status)) return school;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const times: number[] = [];
  const ids: string[] = [];
  const run = Date.now().toString(36);
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const created = await call('POST', '/school', {
      name: `Bench School ${i}`, slug: `bench-${run}-${i}`, district: 'Pune', board: 'CBSE', adminEmail: 'bench@school.example', phone: '+919876543210',
    });
    const school = await untilStatus(created.id, ['active', 'failed']);
    if (school.status !== 'active') throw new Error(`school ${created.id} failed: ${school.failureReason}`);
    times.push(performance.now() - started);
    ids.push(created.id);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(`POST→active over ${n} sequential schools: median ${fmt(percentile(sorted, 50))}, p90 ${fmt(percentile(sorted, 90))}, min ${fmt(sorted[0])}, max ${fmt(sorted[sorted.length - 1])}`);
  if (!process.env.BENCH_KEEP) {
    for (const id of ids) await call('DELETE', `/school/${id}`);
    for (const id of ids) await untilStatus(id, ['deleted']);
    console.log(`deleted the ${n} bench schools`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
