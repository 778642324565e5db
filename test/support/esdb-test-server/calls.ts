import { once } from 'node:events';
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { ReadReq, ReadResp } from './proto.js';

/** Something that can be cut short the way a dropped connection cuts it: with UNAVAILABLE. */
export interface Interruptible {
  interrupt(details: string): void;
}

/** The calls in flight, so that dropConnections() and stop() can end each of them. */
export class CallRegistry {
  private readonly calls = new Set<Interruptible>();

  track(call: Interruptible): () => void {
    this.calls.add(call);
    return () => this.calls.delete(call);
  }

  interruptAll(details: string): void {
    for (const call of [...this.calls]) call.interrupt(details);
  }
}

export const unavailable = (details: string): { code: status; details: string } => ({
  code: status.UNAVAILABLE,
  details,
});

/**
 * A server-streaming answer that waits for 'drain' whenever grpc-js buffers, and stops writing once the
 * client cancels or the call is interrupted; `signal` tells the producer to stop.
 */
export class ResponseStream implements Interruptible {
  private readonly controller = new AbortController();
  private readonly untrack: () => void;

  constructor(
    private readonly call: ServerWritableStream<ReadReq, ReadResp>,
    registry: CallRegistry,
  ) {
    this.untrack = registry.track(this);
    call.on('cancelled', () => this.finish());
    call.on('error', () => this.finish());
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Resolves false when the call is over and nothing more should be produced. */
  async send(response: ReadResp): Promise<boolean> {
    if (this.signal.aborted) return false;
    if (!this.call.write(response)) await this.drained();
    return !this.signal.aborted;
  }

  end(): void {
    if (this.signal.aborted) return;
    this.finish();
    this.call.end();
  }

  fail(error: { code: status; details: string }): void {
    if (this.signal.aborted) return;
    this.finish();
    this.call.emit('error', error);
  }

  interrupt(details: string): void {
    this.fail(unavailable(details));
  }

  private async drained(): Promise<void> {
    await once(this.call, 'drain', { signal: this.signal }).catch(() => undefined);
  }

  private finish(): void {
    this.untrack();
    this.controller.abort();
  }
}
