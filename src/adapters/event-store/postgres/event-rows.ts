import type { EventMetadata, GlobalPosition, RecordedEvent } from '../../../ports/event-store.port.js';

/** A row of `scs_events` as `COLUMNS` selects it. */
export interface EventRow {
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: Date;
  tx: string;
  pos: string;
}

// xid8 and bigint leave PostgreSQL as text: a JS number would lose precision past 2^53.
export const COLUMNS =
  'event_id, stream_id, revision, type, data, metadata, recorded_at, transaction_id::text AS tx, global_position::text AS pos';

export const toPosition = (row: { tx: string; pos: string }): GlobalPosition => ({
  commit: BigInt(row.tx),
  prepare: BigInt(row.pos),
});

export function toEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    revision: row.revision,
    position: toPosition(row),
    recordedAt: row.recorded_at,
  };
}
