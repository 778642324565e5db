import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { encodeCursor } from '../audit/audit-log.js';
import { streamIntegrationEvents, type StreamFilter } from './event-stream.js';
import type { GlobalPosition, Subscription } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { describeError } from '../shared/describe-error.js';
import type { Config } from '../config/config.js';
import { APP_LOGGER, CONFIG } from '../composition/tokens.js';
import { WEBHOOK_PARTS, type WebhookParts } from '../webhooks/manage-webhooks.js';
import { EVENT_STREAM_TELEMETRY, type EventStreamTelemetry } from '../ports/telemetry.port.js';
import { SseConnection, StreamEnded } from './sse-connection.js';

/**
 * The open `GET /events/stream` clients of this process: each its own SseConnection and subscription,
 * counted in `scs_event_streams_open`, and all ended when the application closes (before the HTTP server
 * waits for its connections), so a stream never holds up a SIGTERM.
 */
@Injectable()
export class EventStreams implements BeforeApplicationShutdown {
  private readonly streams = new Set<{ connection: SseConnection; subscription?: Subscription }>();
  private closing = false;

  constructor(
    @Inject(WEBHOOK_PARTS) private readonly parts: WebhookParts,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(EVENT_STREAM_TELEMETRY) private readonly telemetry: EventStreamTelemetry,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  /** Answers `res` with the stream of the events after `after` (absent: from now) that `filter` keeps. */
  async open(res: ServerResponse, filter: StreamFilter, after: GlobalPosition | undefined): Promise<void> {
    const start = after ?? (await this.parts.store.headPosition());
    if (this.closing || res.destroyed) return void res.destroy();
    const telemetry = this.telemetry;
    const connection = new SseConnection(res, start && encodeCursor(start), this.config.eventStream, () =>
      telemetry.droppedOne(),
    );
    const stream: { connection: SseConnection; subscription?: Subscription } = { connection };
    this.streams.add(stream);
    telemetry.opened();
    const ended = () => {
      if (!this.streams.delete(stream)) return;
      telemetry.closed();
      connection.close();
      void stream.subscription?.stop();
    };
    res.on('close', ended);
    const onEnd = (error: unknown) => {
      if (!(error instanceof StreamEnded)) this.logger.warn(`event stream ended: ${describeError(error)}`);
      ended();
    };
    stream.subscription = await streamIntegrationEvents(this.parts, filter, start, connection, onEnd).catch(
      (error: unknown) => {
        onEnd(error);
        return undefined;
      },
    );
    if (!connection.open) ended();
  }

  get size(): number {
    return this.streams.size;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const streams = [...this.streams];
    for (const { connection } of streams) connection.close();
    await Promise.all(streams.map((s) => s.subscription?.stop().catch(() => undefined)));
  }
}
