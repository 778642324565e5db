import cliProgress from 'cli-progress';
import type { GlobalPosition } from '../ports/event-store.port.js';

/** The values a format names besides the bar's own (`{events}`, `{failed}`, …). */
type Payload = object;

export interface Progress {
  start(total: number, value: number, payload?: Payload): void;
  update(value: number, payload?: Payload): void;
  stop(): void;
}

/** Where progress goes (stderr); `isTTY` chooses between a bar and plain lines. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * Progress on `stream`: a bar redrawn in place when it is a terminal; otherwise (a pipe, a log file,
 * CI) a plain line at most every `everyMs` and one at the end, without the bar's glyphs or cursor
 * moves. `format` is cli-progress's: `{bar}`, `{value}`, `{total}`, `{percentage}`, `{eta_formatted}`
 * and the payload's keys.
 */
export function progressBar(format: string, stream: ProgressStream = process.stderr, everyMs = 10_000): Progress {
  if (!stream.isTTY) return plainProgress(format.replace(/ ?\[\{bar\}\]/, ''), stream, everyMs);
  const bar = new cliProgress.SingleBar({ format, stream }, cliProgress.Presets.shades_classic);
  return {
    start: (total, value, payload) => bar.start(total, value, payload),
    update: (value, payload) => bar.update(value, payload),
    stop: () => bar.stop(),
  };
}

function plainProgress(format: string, stream: ProgressStream, everyMs: number): Progress {
  let state: { total: number; value: number; payload: Payload; started: number; printed: number } | undefined;
  const print = () => {
    if (!state) return;
    const { total, value, payload, started } = state;
    const rate = value > 0 ? (performance.now() - started) / value : undefined;
    const values: Record<string, unknown> = {
      ...payload,
      value,
      total,
      percentage: total > 0 ? Math.floor((Math.min(value, total) / total) * 100) : 0,
      eta_formatted: rate === undefined ? '?' : seconds((Math.max(total - value, 0) * rate) / 1000),
    };
    stream.write(`${format.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''))}\n`);
    state.printed = performance.now();
  };
  return {
    start(total, value, payload = {}) {
      const now = performance.now();
      state = { total, value, payload, started: now, printed: now };
    },
    update(value, payload = {}) {
      if (!state) return;
      state.value = value;
      state.payload = { ...state.payload, ...payload };
      if (performance.now() - state.printed >= everyMs) print();
    },
    stop() {
      print();
      state = undefined;
    },
  };
}

function seconds(s: number): string {
  const whole = Math.round(s);
  return whole < 60 ? `${whole}s` : `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

/**
 * Progress of a read of the log, sized from the store's head position (through the event-store port,
 * so on either store): the share read is the position's `prepare` over the head's (an event's sequence
 * number in PostgreSQL, its log offset in EventStoreDB).
 */
export function logProgress(label: string, head: GlobalPosition | undefined) {
  const bar = progressBar(`${label} [{bar}] {percentage}% | {events} events | {eta_formatted} left`);
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
