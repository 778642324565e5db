/**
 * POST→active through a real SCS process: schools one after another, and bursts of schools posted at
 * once, each burst beside its floor (as many template clones, 10 at a time) measured just before it.
 */
import { randomBytes } from 'node:crypto';
import type { ScsProcess } from '../test/support/scs-process.js';
import { schoolBody } from '../test/support/scs-process.js';
import { sleep } from './support/stats.js';

export interface Provisioned {
  id: string;
  ms: number;
}

async function post(scs: ScsProcess, body: Record<string, string>): Promise<string> {
  const res = await scs.request('/school', { method: 'POST', json: body });
  if (res.status !== 202) throw new Error(`POST /school: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Polls one school every `everyMs` until it is active; a failed school stops the bench. */
async function untilActive(scs: ScsProcess, id: string, everyMs: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await scs.request(`/school/${id}`);
    if (res.body?.status === 'active') return;
    if (res.body?.status === 'failed') throw new Error(`school ${id} failed: ${res.body.failureReason}`);
    if (Date.now() > deadline) throw new Error(`school ${id} not active after ${timeoutMs} ms: ${res.body?.status}`);
    await sleep(everyMs);
  }
}

/** `n` schools one after another; each from its POST to the first GET that shows it active (polled every 5 ms). */
export async function sequential(scs: ScsProcess, n: number): Promise<Provisioned[]> {
  const out: Provisioned[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const id = await post(scs, schoolBody());
    await untilActive(scs, id, 5);
    out.push({ id, ms: performance.now() - t0 });
  }
  return out;
}

async function count(scs: ScsProcess, district: string, status: string): Promise<number> {
  const res = await scs.request(`/schools?district=${encodeURIComponent(district)}&status=${status}&limit=1`);
  if (res.status !== 200) throw new Error(`GET /schools: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.total as number;
}

/** Ms from the first of `n` POSTs sent at once until all `n` schools are active (polled every 50 ms). */
export async function burst(scs: ScsProcess, n: number): Promise<number> {
  // A district of its own lets one list query count this burst's active schools.
  const district = `Bench ${randomBytes(4).toString('hex')}`;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => post(scs, { ...schoolBody(), district })));
  for (;;) {
    if ((await count(scs, district, 'active')) === n) return performance.now() - t0;
    const failed = await count(scs, district, 'failed');
    if (failed > 0) throw new Error(`${failed} of ${n} schools of the burst failed`);
    if (performance.now() - t0 > 600_000) throw new Error(`a burst of ${n} schools was not active after 10 minutes`);
    await sleep(50);
  }
}
