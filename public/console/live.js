// A page's life: one AbortController for every request it makes and every timer it sets, stopped when the
// operator navigates away, so that no answer of a page left behind can draw or schedule anything.
// Updates come from the server's event stream (GET /events/stream, Server-Sent Events) where the API has
// it, read with fetch (EventSource cannot send X-SCS-Key); otherwise, or when it drops, from polling.
import { KEY } from './ui.js';

export class Life {
  controller = new AbortController();
  timers = new Set();

  get signal() {
    return this.controller.signal;
  }

  get stopped() {
    return this.signal.aborted;
  }

  stop() {
    this.controller.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** `work` after `ms`, unless the page is left first. */
  later(ms, work) {
    if (this.stopped) return;
    const timer = setTimeout(() => (this.timers.delete(timer), this.stopped || work()), ms);
    this.timers.add(timer);
  }
}

let streamMissing = false; // the API answered 404/405 once: poll for the rest of this visit

/** Parses `text/event-stream` blocks: `{ event, data, id }` for each one ended by a blank line. */
export function parseEvents(buffer) {
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop();
  const events = blocks.map((block) => {
    const event = { event: 'message', data: '', id: undefined };
    for (const line of block.split(/\r?\n/)) {
      const [, field, value = ''] = /^([^:]*):? ?(.*)$/.exec(line) ?? [];
      if (field === 'event') event.event = value;
      else if (field === 'data') event.data += event.data ? `\n${value}` : value;
      else if (field === 'id') event.id = value;
    }
    return event;
  });
  return { events, rest };
}

/**
 * Reads GET /events/stream until the page is left, calling `onEvent` for each event and keeping
 * `state.live` true while connected; resumes with Last-Event-ID when the connection drops. Gives up when
 * the API has no stream (404/405) or the first connection fails: the page polls as it would anyway.
 */
async function stream(life, query, onEvent, state) {
  let lastId;
  while (!streamMissing && !life.stopped) {
    try {
      const headers = { 'X-SCS-Key': sessionStorage.getItem(KEY) ?? '', Accept: 'text/event-stream' };
      if (lastId) headers['Last-Event-ID'] = lastId;
      const res = await fetch(`/events/stream?${query}`, { headers, signal: life.signal, cache: 'no-store' });
      if (res.status === 404 || res.status === 405) streamMissing = true;
      if (!res.ok || !res.body) return;
      state.live = true;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const { events, rest } = parseEvents(buffer + value);
        buffer = rest;
        for (const event of events) {
          if (event.id) lastId = event.id;
          if (event.data) onEvent(event);
        }
      }
    } catch {
      if (lastId === undefined && !state.live) return;
    }
    state.live = false;
    await new Promise((resolve) => life.later(2000, resolve));
  }
}

/**
 * Keeps a page up to date: `refresh()` at once; then on every event the stream sends for `types` (and the
 * `school`), and polled: every second while `busy()` says work is in flight or the answer changed, else
 * backing off to 8 s (30 s while the stream is connected). One refresh runs at a time, so an older answer
 * never draws over a newer one. Returns a function that refreshes now (after an action).
 */
export function watch(life, { refresh, busy = () => false, types = [], school }) {
  let running;
  let again = false;
  const once = async () => {
    if (running) return void (again = true);
    running = true;
    let changed = false;
    do {
      again = false;
      changed = (await refresh().catch(() => false)) || changed;
    } while (again && !life.stopped);
    running = false;
    return changed;
  };
  const state = { live: false };
  let delay = 1000;
  const poll = async () => {
    const changed = await once();
    if (life.stopped) return;
    delay = changed || busy() ? 1000 : state.live ? 30_000 : Math.min(delay * 2, 8000);
    life.later(delay, poll);
  };
  void poll();
  if (types.length) {
    const query = new URLSearchParams({ types: types.join(',') });
    if (school) query.set('school', school);
    let pending = false;
    const onEvent = () => {
      if (pending) return;
      pending = true;
      life.later(100, () => ((pending = false), void once()));
    };
    void stream(life, query, onEvent, state);
  }
  return once;
}
