import { API_KEY } from './scs-process.js';

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

/**
 * A client of GET /events/stream as the console reads it: `fetch` streaming with the X-SCS-Key header,
 * frames parsed per the Server-Sent Events format (comment lines skipped), `Last-Event-ID` on reconnect.
 */
export class SseClient {
  readonly frames: SseFrame[] = [];
  comments = 0;
  status = 0;
  private readonly abort = new AbortController();
  /** Resolves when the server ended the stream (or it was closed here). */
  ended: Promise<void> = Promise.resolve();

  static async open(base: string, query = '', lastEventId?: string): Promise<SseClient> {
    const client = new SseClient();
    const headers: Record<string, string> = { 'X-SCS-Key': API_KEY, Accept: 'text/event-stream' };
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    const res = await fetch(`${base}/events/stream${query}`, { headers, signal: client.abort.signal });
    client.status = res.status;
    if (res.ok && res.body) client.ended = client.read(res.body).catch(() => undefined);
    return client;
  }

  /** The id of the last frame that had one: what a reconnect sends as Last-Event-ID. */
  get lastId(): string | undefined {
    return this.frames.filter((f) => f.id).pop()?.id;
  }

  events(): Array<{ id: string; event: string; data: any }> {
    return this.frames
      .filter((f) => f.id)
      .map((f) => ({ id: f.id!, event: f.event ?? 'message', data: JSON.parse(f.data) }));
  }

  close(): Promise<void> {
    this.abort.abort();
    return this.ended;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.frame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  private frame(block: string): void {
    const frame: SseFrame = { data: '' };
    let any = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments++;
        continue;
      }
      const at = line.indexOf(':');
      const field = at < 0 ? line : line.slice(0, at);
      const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
      if (field === 'id') frame.id = value;
      else if (field === 'event') frame.event = value;
      else if (field === 'data') frame.data = frame.data ? `${frame.data}\n${value}` : value;
      else continue;
      any = true;
    }
    if (any) this.frames.push(frame);
  }
}
