import { SCHOOL_STREAM_PREFIX, schoolIdFromStream } from '../domain/school/events.js';
import { evolve } from '../domain/school/evolve.js';
import type { SchoolState } from '../domain/school/state.js';
import type { EventStore, GlobalPosition } from '../ports/event-store.port.js';
import { toFoldable } from './school-stream.js';

/** Every school folded from its stream: the events, not the read model, say what exists. */
export async function allSchools(store: EventStore): Promise<Map<string, SchoolState>> {
  const schools = new Map<string, SchoolState>();
  let after: GlobalPosition | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000, streamPrefix: SCHOOL_STREAM_PREFIX });
    if (page.length === 0) return schools;
    for (const event of page) {
      const id = schoolIdFromStream(event.streamId);
      if (!id) continue;
      const next = evolve(schools.get(id), toFoldable(event));
      if (next) schools.set(id, next);
    }
    after = page[page.length - 1].position;
  }
}
