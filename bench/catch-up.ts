/**
 * How fast the process manager catches up after downtime: SCS started on a central database whose events
 * were appended while no SCS ran (the rebuild rows' 22,400 generated schools, all concluded), timed until
 * its checkpoint reaches the last school event. The projections other than the read model catch up at
 * the same time, as after a real outage.
 */
import pg from 'pg';
import { SCHOOL_STREAM_PREFIX } from '../src/domain/school/events.js';
import { startScs } from '../test/support/scs-process.js';
import { sleep } from './support/stats.js';

export async function processManagerCatchUp(url: string, env: Record<string, string>): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const head = await client.query<{ g: string }>(
      'SELECT max(global_position)::text AS g FROM scs_events WHERE starts_with(stream_id, $1)',
      [SCHOOL_STREAM_PREFIX],
    );
    const t0 = performance.now();
    const scs = await startScs({ databaseUrl: url, env });
    try {
      for (;;) {
        const saved = await client.query<{ p: string }>(
          `SELECT prepare_position::text AS p FROM scs_checkpoints WHERE name = 'process-manager'`,
        );
        if (saved.rows[0] && BigInt(saved.rows[0].p) >= BigInt(head.rows[0].g)) break;
        if (performance.now() - t0 > 600_000) throw new Error('the process manager did not catch up in 10 minutes');
        await sleep(50);
      }
      return performance.now() - t0;
    } finally {
      await scs.stop();
    }
  } finally {
    await client.end();
  }
}
