import { schoolStreamId } from '../domain/school/events.js';
import type { EventStore, GlobalPosition, RecordedEvent } from '../ports/event-store.port.js';

/** Which events an audit reads: all filters optional; times compare with the time each was recorded. */
export interface AuditFilter {
  from?: Date;
  to?: Date;
  actor?: string;
  type?: string;
  schoolId?: string;
}

/** An event as the audit shows it (JSON-safe: positions as text). */
export interface AuditEvent {
  position: string;
  streamId: string;
  revision: number;
  id: string;
  type: string;
  time: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

const PAGE = 1000;

/** A cursor names a position in the store: the next page starts strictly after it. Opaque to clients. */
export function encodeCursor(position: GlobalPosition): string {
  return Buffer.from(`${position.commit}.${position.prepare}`).toString('base64url');
}

export function decodeCursor(cursor: string): GlobalPosition | undefined {
  const match = /^(\d{1,20})\.(\d{1,20})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? { commit: BigInt(match[1]), prepare: BigInt(match[2]) } : undefined;
}

function matches(event: RecordedEvent, filter: AuditFilter): boolean {
  const time = event.recordedAt.getTime();
  return (
    (filter.from === undefined || time >= filter.from.getTime()) &&
    (filter.to === undefined || time < filter.to.getTime()) &&
    (filter.actor === undefined || event.metadata?.actor === filter.actor) &&
    (filter.type === undefined || event.type === filter.type)
  );
}

export function toAuditEvent(event: RecordedEvent): AuditEvent {
  return {
    position: encodeCursor(event.position),
    streamId: event.streamId,
    revision: event.revision,
    id: event.id,
    type: event.type,
    time: event.recordedAt.toISOString(),
    data: event.data,
    metadata: event.metadata,
  };
}

/**
 * The store's events in store order, page by page (memory stays at one page whatever the range), those
 * matching the filter yielded; `onScanned` reports the position reached, matched or not (progress).
 */
export async function* auditEvents(
  store: EventStore,
  filter: AuditFilter,
  after?: GlobalPosition,
  onScanned?: (position: GlobalPosition, scanned: number) => void,
): AsyncGenerator<RecordedEvent> {
  // The store's own `$`-streams and the slug claims are part of the log too; a school filter keeps to its stream.
  const streamPrefix = filter.schoolId ? schoolStreamId(filter.schoolId) : undefined;
  let position = after;
  let scanned = 0;
  for (;;) {
    const page = await store.readAll({ after: position, maxCount: PAGE, streamPrefix });
    if (page.length === 0) return;
    for (const event of page) if (matches(event, filter)) yield event;
    position = page[page.length - 1].position;
    scanned += page.length;
    onScanned?.(position, scanned);
  }
}

/**
 * One page of the audit: up to `limit` matching events after the cursor, and the cursor of the next
 * page (null at the end). A page scans at most `scanLimit` events, so a rare filter answers promptly
 * with fewer events and a cursor to go on from.
 */
export async function auditPage(
  store: EventStore,
  filter: AuditFilter,
  after: GlobalPosition | undefined,
  limit: number,
  scanLimit = 50_000,
): Promise<{ events: AuditEvent[]; next: string | null }> {
  const streamPrefix = filter.schoolId ? schoolStreamId(filter.schoolId) : undefined;
  const events: AuditEvent[] = [];
  let position = after;
  let scanned = 0;
  while (scanned < scanLimit) {
    const page = await store.readAll({ after: position, maxCount: Math.min(PAGE, scanLimit - scanned), streamPrefix });
    if (page.length === 0) return { events, next: null };
    for (const event of page) {
      position = event.position;
      scanned++;
      if (!matches(event, filter)) continue;
      events.push(toAuditEvent(event));
      if (events.length === limit) return { events, next: encodeCursor(position) };
    }
  }
  return { events, next: position ? encodeCursor(position) : null };
}
