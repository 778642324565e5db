import { status, type sendUnaryData, type ServerReadableStream } from '@grpc/grpc-js';
import type { AppendOutcome, EventLog, ExpectedRevision, ProposedEvent } from './event-log.js';
import { CallRegistry, unavailable } from './calls.js';
import { sharedPb, streamNameOf, streamsPb, uuidToString, type AppendReq, type AppendResp } from './proto.js';

type AppendOptions = InstanceType<typeof streamsPb.AppendReq.Options>;
type Proposed = InstanceType<typeof streamsPb.AppendReq.ProposedMessage>;
type CallError = { code: status; details: string };

const { ExpectedStreamRevisionCase } = streamsPb.AppendReq.Options;

function expectedRevision(options: AppendOptions): ExpectedRevision {
  switch (options.getExpectedStreamRevisionCase()) {
    case ExpectedStreamRevisionCase.REVISION:
      return { kind: 'revision', revision: BigInt(options.getRevision()) };
    case ExpectedStreamRevisionCase.NO_STREAM:
      return { kind: 'no_stream' };
    case ExpectedStreamRevisionCase.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    default:
      return { kind: 'any' };
  }
}

/** The node refuses a proposed event without `type` or `content-type` (RequiredMetadataPropertyMissing). */
function proposedEvent(message: Proposed): ProposedEvent | CallError {
  if (!message.hasId()) return { code: status.INVALID_ARGUMENT, details: 'a proposed message needs an id' };
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  const contentType = metadata.get('content-type');
  if (type === undefined || contentType === undefined) {
    return {
      code: status.INVALID_ARGUMENT,
      details: `Required metadata property ${type === undefined ? 'type' : 'content-type'} is missing`,
    };
  }
  return {
    id: uuidToString(message.getId()),
    type,
    isJson: contentType === 'application/json',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

function response(outcome: AppendOutcome, expected: ExpectedRevision): AppendResp {
  if (outcome.kind === 'success') {
    const success = new streamsPb.AppendResp.Success();
    if (outcome.currentRevision < 0) success.setNoStream(new sharedPb.Empty());
    else success.setCurrentRevision(outcome.currentRevision.toString());
    const position = outcome.position.toString();
    success.setPosition(new streamsPb.AppendResp.Position().setCommitPosition(position).setPreparePosition(position));
    return new streamsPb.AppendResp().setSuccess(success);
  }
  return new streamsPb.AppendResp().setWrongExpectedVersion(wrongExpectedVersion(outcome.currentRevision, expected));
}

/** Both the current fields and the 20.6.0 ones, as the node fills them. */
function wrongExpectedVersion(
  current: number,
  expected: ExpectedRevision,
): InstanceType<typeof streamsPb.AppendResp.WrongExpectedVersion> {
  const answer = new streamsPb.AppendResp.WrongExpectedVersion();
  if (current < 0) answer.setCurrentNoStream(new sharedPb.Empty()).setNoStream2060(new sharedPb.Empty());
  else answer.setCurrentRevision(current.toString()).setCurrentRevision2060(current);
  switch (expected.kind) {
    case 'any':
      return answer.setExpectedAny(new sharedPb.Empty()).setAny2060(new sharedPb.Empty());
    case 'stream_exists':
      return answer.setExpectedStreamExists(new sharedPb.Empty()).setStreamExists2060(new sharedPb.Empty());
    case 'no_stream':
      // The node puts ulong.MaxValue in the 20.6.0 field; jspb holds that field as a JS number.
      return answer.setExpectedNoStream(new sharedPb.Empty()).setExpectedRevision2060(Number.MAX_SAFE_INTEGER);
    case 'revision':
      return answer
        .setExpectedRevision(expected.revision.toString())
        .setExpectedRevision2060(Number(expected.revision));
  }
}

/**
 * Streams.Append (client streaming): the options first, then the proposed events; nothing is written until the
 * client ends.
 */
export function handleAppend(log: EventLog, registry: CallRegistry) {
  return (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>): void => {
    let answered = false;
    const answer = (error: CallError | null, value?: AppendResp): void => {
      if (answered) return;
      answered = true;
      untrack();
      if (error) callback(error);
      else callback(null, value);
    };
    const untrack = registry.track({ interrupt: (details) => answer(unavailable(details)) });
    let options: AppendOptions | undefined;
    const events: ProposedEvent[] = [];
    call.on('data', (request: AppendReq) => {
      if (answered) return;
      if (options === undefined) {
        options = request.getOptions();
        if (options === undefined)
          answer({ code: status.INVALID_ARGUMENT, details: 'the first append message must be the options' });
        return;
      }
      const message = request.getProposedMessage();
      const event = message
        ? proposedEvent(message)
        : { code: status.INVALID_ARGUMENT, details: 'expected a proposed message' };
      if ('code' in event) answer(event);
      else events.push(event);
    });
    call.on('end', () => {
      if (options === undefined) return answer({ code: status.INVALID_ARGUMENT, details: 'append without options' });
      const expected = expectedRevision(options);
      const outcome = log.append(streamNameOf(options.getStreamIdentifier()), expected, events);
      answer(null, response(outcome, expected));
    });
    call.on('cancelled', () => answer({ code: status.CANCELLED, details: 'Cancelled on client' }));
    call.on('error', () => untrack());
  };
}
