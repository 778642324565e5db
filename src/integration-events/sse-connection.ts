import type { ServerResponse } from 'node:http';
import type { StreamSink } from './event-stream.js';
import type { IntegrationEvent } from './integration-events.js';

export interface SseOptions {
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
  /** How long the socket may stay full (the client not reading) before the client is dropped. */
  stallMs: number;
}

/** The client went away, or was dropped: the stream's subscription stops. */
export class StreamEnded extends Error {
  constructor(readonly dropped: boolean) {
    super(dropped ? 'the client fell behind and was dropped' : 'the client went away');
    this.name = 'StreamEnded';
  }
}

/** After the last frame, a client that does not read it has this long before its socket is destroyed. */
const FINAL_GRACE_MS = 1000;

/**
 * One client's `text/event-stream`: each event a frame (`id:` its cursor, `event:` its type, `data:` the
 * CloudEvent on one line), comment lines as heartbeats. Backpressure bounds what is held for it: once the
 * socket's buffer is full, `send` waits for it to drain (the store is not read meanwhile); if it stays full
 * for `stallMs`, the client gets a last `stream.dropped` event naming the last id sent, and is closed.
 */
export class SseConnection implements StreamSink {
  private lastId: string | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private ended = false;
  private stall?: () => void;

  constructor(
    private readonly res: ServerResponse,
    /** The cursor the stream starts after (undefined: the first event), named when it is dropped. */
    startId: string | undefined,
    private readonly options: SseOptions,
    private readonly onDropped: () => void,
  ) {
    this.lastId = startId;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no', // nginx: pass each frame on as it comes
    });
    res.write(': connected\n\n');
    this.heartbeat = setInterval(() => {
      if (!res.writableNeedDrain) res.write(': heartbeat\n\n');
    }, options.heartbeatMs);
    this.heartbeat.unref();
    res.on('close', () => this.finish());
  }

  get open(): boolean {
    return !this.ended;
  }

  async send(event: IntegrationEvent, cursor: string): Promise<void> {
    if (this.ended) throw new StreamEnded(false);
    this.res.write(`id: ${cursor}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    this.lastId = cursor;
    if (this.res.writableNeedDrain) await this.drained();
  }

  /** Ends the stream (shutdown): the client reconnects with the last id it got. */
  close(): void {
    if (this.ended) return;
    this.finish();
    this.res.end();
    setTimeout(() => this.res.destroy(), FINAL_GRACE_MS).unref();
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: StreamEnded) => {
        clearTimeout(timer);
        this.res.off('drain', onDrain);
        this.stall = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => done();
      const timer = setTimeout(() => {
        done(new StreamEnded(true));
        this.drop();
      }, this.options.stallMs);
      this.res.on('drain', onDrain);
      this.stall = () => done(new StreamEnded(false));
    });
  }

  private drop(): void {
    if (this.ended) return;
    const seconds = this.options.stallMs / 1000;
    const data = {
      reason: `the client did not read for ${seconds} s`,
      lastEventId: this.lastId ?? null,
      resume: 'reconnect with the Last-Event-ID header (or ?after=) set to lastEventId',
    };
    // Past the buffer's bound by this one frame only: the client is closed right after it.
    this.res.write(`event: stream.dropped\ndata: ${JSON.stringify(data)}\n\n`);
    this.onDropped();
    this.close();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.stall?.();
  }
}
