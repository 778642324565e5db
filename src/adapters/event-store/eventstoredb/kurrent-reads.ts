import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  StreamNotFoundError,
  type KurrentDBClient,
  type ReadPosition,
} from '@kurrent/kurrentdb-client';
import {
  comparePositions,
  type GlobalPosition,
  type ReadAllOptions,
  type RecordedEvent,
} from '../../../ports/event-store.port.js';
import { isWanted, toRecorded } from './kurrent-events.js';
import { unavailable } from './kurrent-errors.js';

/** Events read from `$all` per request: the store filters by stream prefix on our side, page by page. */
const PAGE = 500;
const PING_TIMEOUT_MS = 2_000;

/** The stream's events in revision order; none when the stream does not exist. */
export async function readStream(
  client: KurrentDBClient,
  streamId: string,
  options: { fromRevision?: number; maxCount?: number },
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  try {
    const read = client.readStream(streamId, {
      fromRevision: options.fromRevision ? BigInt(options.fromRevision) : START,
      direction: FORWARDS,
      ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
    });
    for await (const resolved of read) {
      const event = toRecorded(resolved);
      if (event) events.push(event);
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw unavailable(`read ${streamId}`, error);
  }
  return events;
}

/**
 * `$all` in position order, strictly after `options.after`. The server reads from a position
 * inclusively and cannot filter a read, so each page starts at the last position seen and drops it,
 * and streams outside the prefix are dropped here.
 */
export async function readAll(client: KurrentDBClient, options: ReadAllOptions): Promise<RecordedEvent[]> {
  const wanted = options.maxCount ?? 1000;
  const out: RecordedEvent[] = [];
  let after = options.after;
  for (;;) {
    let seen = 0;
    try {
      const read = client.readAll({
        fromPosition: (after ?? START) as ReadPosition,
        maxCount: PAGE,
        direction: FORWARDS,
      });
      for await (const resolved of read) {
        seen++;
        const position = resolved.event?.position;
        if (!position || (after && comparePositions(position, after) <= 0)) continue;
        after = { commit: position.commit, prepare: position.prepare };
        const event = toRecorded(resolved);
        if (!isWanted(event, options.streamPrefix)) continue;
        out.push(event);
        if (out.length >= wanted) return out;
      }
    } catch (error) {
      throw unavailable('read $all', error);
    }
    if (seen < PAGE) return out;
  }
}

/** The last event of `$all` that is not a system event (read backwards from the end). */
export async function headPosition(client: KurrentDBClient): Promise<GlobalPosition | undefined> {
  try {
    const read = client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: PAGE });
    for await (const resolved of read) {
      const event = toRecorded(resolved);
      if (isWanted(event, undefined)) return event.position;
    }
  } catch (error) {
    throw unavailable('read the head position', error);
  }
  return undefined;
}

/** Reads the last event of `$all`, with a short deadline. */
export async function ping(client: KurrentDBClient): Promise<void> {
  try {
    const read = client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1, deadline: PING_TIMEOUT_MS });
    for await (const _ of read) break;
  } catch (error) {
    throw unavailable('ping', error);
  }
}
