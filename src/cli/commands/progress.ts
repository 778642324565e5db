import cliProgress from 'cli-progress';
import type { GlobalPosition } from '../../application/ports/event-store.port.js';

/**
 * A progress bar on stderr sized from the store's head position (through the event-store port, so on
 * either store): the share of the log read is the position's `prepare` over the head's (an event's
 * sequence number in PostgreSQL, its log offset in EventStoreDB).
 */
export function logProgress(label: string, head: GlobalPosition | undefined) {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {events} events | {eta_formatted} left`,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 1000,
    },
    cliProgress.Presets.shades_classic,
  );
  const total = head ? Number(head.prepare) + 1 : 1;
  bar.start(total, 0, { events: 0 });
  return {
    update(position: GlobalPosition, events: number): void {
      bar.update(Math.min(Number(position.prepare), total), { events });
    },
    stop(events: number): void {
      bar.update(total, { events });
      bar.stop();
    },
  };
}
