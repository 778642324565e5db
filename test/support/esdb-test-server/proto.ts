// The client package ships its generated protobuf modules as CommonJS; default imports give their exports.
import streamsGrpc from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb.js';
import streamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import type { StoredEvent } from './event-log.js';

export { sharedPb, streamsGrpc, streamsPb };
export type ReadReq = InstanceType<typeof streamsPb.ReadReq>;
export type ReadResp = InstanceType<typeof streamsPb.ReadResp>;
export type AppendReq = InstanceType<typeof streamsPb.AppendReq>;
export type AppendResp = InstanceType<typeof streamsPb.AppendResp>;
type Uuid = InstanceType<typeof sharedPb.UUID>;

/** How the reader asked for event ids: `string` (what this client sends) or two signed 64-bit halves. */
export type UuidFormat = 'string' | 'structured';

export function uuidToString(uuid: Uuid | undefined): string {
  if (!uuid) throw new Error('proposed message without an id');
  if (!uuid.hasStructured()) return uuid.getString().toLowerCase();
  const structured = uuid.getStructured()!;
  const most = BigInt.asUintN(64, BigInt(structured.getMostSignificantBits()));
  const least = BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits()));
  const hex = ((most << 64n) | least).toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function uuidMessage(id: string, format: UuidFormat): Uuid {
  const uuid = new sharedPb.UUID();
  if (format === 'string') return uuid.setString(id);
  // The server sends each half as a signed int64 (.NET long), in RFC 4122 byte order.
  const bits = BigInt(`0x${id.replaceAll('-', '')}`);
  const structured = new sharedPb.UUID.Structured()
    .setMostSignificantBits(BigInt.asIntN(64, bits >> 64n).toString())
    .setLeastSignificantBits(BigInt.asIntN(64, bits).toString());
  return uuid.setStructured(structured);
}

export function streamIdentifier(name: string): InstanceType<typeof sharedPb.StreamIdentifier> {
  return new sharedPb.StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

export function streamNameOf(identifier: InstanceType<typeof sharedPb.StreamIdentifier> | undefined): string {
  if (!identifier) throw new Error('request without a stream identifier');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

/** The event as Streams.Read answers it: the same metadata keys and positions a real node sends. */
export function eventResponse(event: StoredEvent, format: UuidFormat): ReadResp {
  const position = event.position.toString();
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidMessage(event.id, format))
    .setStreamIdentifier(streamIdentifier(event.streamName))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(position)
    .setPreparePosition(position)
    .setData(event.data)
    .setCustomMetadata(event.metadata);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('created', event.createdTicks)
    .set('content-type', event.isJson ? 'application/json' : 'application/octet-stream');
  const readEvent = new streamsPb.ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(position);
  return new streamsPb.ReadResp().setEvent(readEvent);
}

export function checkpointResponse(commit: bigint, prepare: bigint): ReadResp {
  const checkpoint = new streamsPb.ReadResp.Checkpoint()
    .setCommitPosition(commit.toString())
    .setPreparePosition(prepare.toString());
  return new streamsPb.ReadResp().setCheckpoint(checkpoint);
}
