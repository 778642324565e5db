import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { SCHOOL_STREAM_PREFIX } from '../../domain/school/events.js';
import { action, group, print, withRuntime } from '../cli.js';

/** `scs projections rebuild`: the school read model from the first event, with a progress bar. */
export function registerProjections(program: Command): void {
  group(program, 'projections', 'the read models built from the events')
    .command('rebuild')
    .description('rebuild the school read model from the first event (online: the service may run)')
    .option('--json', 'print the result as JSON')
    .action(action(async (options: { json?: boolean }) => withRuntime(async ({ runtime }) => {
      // The PostgreSQL store can count cheaply; the count only sizes the progress bar.
      const counted = await runtime.pool.query(
        'SELECT count(*)::int AS n FROM scs_events WHERE stream_id LIKE $1', [`${SCHOOL_STREAM_PREFIX}%`]);
      const total: number = counted.rows[0].n;
      const bar = new cliProgress.SingleBar({
        format: 'rebuilding school read model [{bar}] {percentage}% | {value}/{total} events | {eta_formatted} left',
        stream: process.stderr,
        noTTYOutput: true,
        notTTYSchedule: 1000,
      }, cliProgress.Presets.shades_classic);
      bar.start(Math.max(total, 1), 0);
      const started = performance.now();
      const result = await runtime.projection.rebuild(
        (done) => bar.update(Math.min(done, Math.max(total, done)), { total: Math.max(total, done) }));
      bar.update(Math.max(result.events, 1));
      bar.stop();
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round(result.events / seconds) : result.events;
      print(options.json, { events: result.events, schools: result.schools, seconds }, () => [
        `rebuilt school read model: ${result.events} events, ${result.schools} schools in ${seconds.toFixed(2)} s` +
          ` (${rate} events/s)`,
      ]);
      return 0;
    })));
}
