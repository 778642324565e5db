import { status, type ServerWritableStream } from '@grpc/grpc-js';
import { isHiddenFromAll, type EventLog, type LogPosition } from './event-log.js';
import { CallRegistry, ResponseStream } from './calls.js';
import {
  eventResponse,
  streamIdentifier,
  streamNameOf,
  streamsPb,
  type ReadReq,
  type ReadResp,
  type UuidFormat,
} from './proto.js';
import { subscribeToAll, subscribeToStream } from './subscription.js';

type Options = InstanceType<typeof streamsPb.ReadReq.Options>;
type AllOptions = InstanceType<typeof streamsPb.ReadReq.Options.AllOptions>;
type StreamOptions = InstanceType<typeof streamsPb.ReadReq.Options.StreamOptions>;

const { StreamOptionCase, CountOptionCase, FilterOptionCase, ReadDirection } = streamsPb.ReadReq.Options;
const { RevisionOptionCase } = streamsPb.ReadReq.Options.StreamOptions;
const { AllOptionCase } = streamsPb.ReadReq.Options.AllOptions;

/** Where a $all read or subscription starts; `start`/`end` are the wire's Empty markers. */
export type AllFrom = 'start' | 'end' | LogPosition;
/** Where a stream read or subscription starts. */
export type StreamFrom = 'start' | 'end' | bigint;

export function uuidFormatOf(options: Options): UuidFormat {
  return options.getUuidOption()?.hasStructured() ? 'structured' : 'string';
}

export function allFrom(all: AllOptions): AllFrom {
  switch (all.getAllOptionCase()) {
    case AllOptionCase.POSITION: {
      const position = all.getPosition()!;
      return { commit: BigInt(position.getCommitPosition()), prepare: BigInt(position.getPreparePosition()) };
    }
    case AllOptionCase.END:
      return 'end';
    default:
      return 'start';
  }
}

export function streamFrom(stream: StreamOptions): StreamFrom {
  switch (stream.getRevisionOptionCase()) {
    case RevisionOptionCase.REVISION:
      return BigInt(stream.getRevision());
    case RevisionOptionCase.END:
      return 'end';
    default:
      return 'start';
  }
}

/** Streams.Read: a bounded read of a stream or of $all, or a catch-up subscription to either. */
export function handleRead(log: EventLog, registry: CallRegistry) {
  return (call: ServerWritableStream<ReadReq, ReadResp>): void => {
    const responses = new ResponseStream(call, registry);
    const options = call.request.getOptions();
    if (!options) return responses.fail({ code: status.INVALID_ARGUMENT, details: 'Read without options' });
    dispatch(log, options, responses).then(
      () => responses.end(),
      (error: unknown) => responses.fail({ code: status.INTERNAL, details: String(error) }),
    );
  };
}

async function dispatch(log: EventLog, options: Options, responses: ResponseStream): Promise<void> {
  const format = uuidFormatOf(options);
  const isSubscription = options.getCountOptionCase() === CountOptionCase.SUBSCRIPTION;
  const onAll = options.getStreamOptionCase() === StreamOptionCase.ALL;
  const backwards = options.getReadDirection() === ReadDirection.BACKWARDS;
  const filter = options.getFilterOptionCase() === FilterOptionCase.FILTER ? options.getFilter() : undefined;
  if (isSubscription) {
    if (backwards) return unsupported(responses, 'a backwards subscription');
    if (onAll) return subscribeToAll(log, allFrom(options.getAll()!), filter, format, responses);
    if (filter) return unsupported(responses, 'a filtered stream subscription');
    return subscribeToStream(
      log,
      streamNameOf(options.getStream()?.getStreamIdentifier()),
      streamFrom(options.getStream()!),
      format,
      responses,
    );
  }
  // This client never filters a bounded read; the server's filtered reads page by a search window.
  if (filter) return unsupported(responses, 'a filtered read');
  const count = BigInt(options.getCount());
  const streamName = onAll ? undefined : streamNameOf(options.getStream()?.getStreamIdentifier());
  if (streamName !== undefined && log.currentRevision(streamName) < 0) return notFound(options, responses);
  const indexes =
    streamName === undefined
      ? allIndexes(log, allFrom(options.getAll()!), backwards)
      : streamIndexes(log.streamIndexes(streamName), streamFrom(options.getStream()!), backwards);
  let sent = 0n;
  for (const index of indexes) {
    if (sent >= count) return;
    const event = log.at(index);
    if (onAll && isHiddenFromAll(event)) continue;
    if (!(await responses.send(eventResponse(event, format)))) return;
    sent += 1n;
  }
}

function unsupported(responses: ResponseStream, what: string): void {
  responses.fail({ code: status.UNIMPLEMENTED, details: `the EventStoreDB test server does not implement ${what}` });
}

async function notFound(options: Options, responses: ResponseStream): Promise<void> {
  const identifier = options.getStream()!.getStreamIdentifier();
  const answer = new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(identifier ?? streamIdentifier(''));
  await responses.send(new streamsPb.ReadResp().setStreamNotFound(answer));
}

/** Log indexes of a $all read, taken when the read starts. */
function* allIndexes(log: EventLog, from: AllFrom, backwards: boolean): Generator<number> {
  const end = log.length;
  if (backwards) {
    const first = from === 'end' ? end : from === 'start' ? 0 : log.countEndingBy(from);
    for (let index = first - 1; index >= 0; index -= 1) yield index;
    return;
  }
  const first = from === 'start' ? 0 : from === 'end' ? end : log.firstIndexFrom(from);
  for (let index = first; index < end; index += 1) yield index;
}

/** Log indexes of a stream read; a revision is inclusive in both directions. */
function* streamIndexes(indexes: readonly number[], from: StreamFrom, backwards: boolean): Generator<number> {
  const last = indexes.length - 1;
  if (backwards) {
    const first =
      from === 'end' || (from !== 'start' && from > BigInt(last)) ? last : from === 'start' ? 0 : Number(from);
    for (let revision = first; revision >= 0; revision -= 1) yield indexes[revision]!;
    return;
  }
  if (from === 'end' || (from !== 'start' && from > BigInt(last))) return;
  for (let revision = from === 'start' ? 0 : Number(from); revision <= last; revision += 1) yield indexes[revision]!;
}
