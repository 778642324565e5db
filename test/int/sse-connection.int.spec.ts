import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IntegrationEvent } from '../../src/integration-events/integration-events.js';
import { SseConnection, StreamEnded } from '../../src/integration-events/sse-connection.js';

const event = (n: number) =>
  ({ id: `e${n}`, type: 'school.requested', data: { pad: 'x'.repeat(4000) } }) as unknown as IntegrationEvent;

describe('SseConnection: frames, heartbeats, and a client that does not read', () => {
  let server: Server;
  let answer: IncomingMessage | undefined;
  let next: Promise<ServerResponse>;

  beforeEach(async () => {
    let take: (res: ServerResponse) => void;
    next = new Promise((resolve) => (take = resolve));
    server = createServer((_req, res) => take(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    answer?.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A client that can stop reading (`pause`); everything it read so far in `text()`. */
  const client = () => {
    const chunks: Buffer[] = [];
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events/stream`;
    const answered = new Promise<IncomingMessage>((resolve) => get(url, resolve));
    void answered.then((res) => {
      answer = res;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
    });
    return { answered, text: () => Buffer.concat(chunks).toString('utf8') };
  };

  it('writes each event as one frame, and comment lines as heartbeats', async () => {
    const reader = client();
    const connection = new SseConnection(await next, 'start', { heartbeatMs: 50, stallMs: 1000 }, () => undefined);
    await connection.send(event(1), 'c1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const text = reader.text();
    expect((await reader.answered).headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(text).toContain(`id: c1\nevent: school.requested\ndata: ${JSON.stringify(event(1))}\n\n`);
    expect(text.split(': heartbeat\n\n').length).toBeGreaterThan(2);
    connection.close();
    await expect(connection.send(event(2), 'c2')).rejects.toThrow(StreamEnded);
  });

  it('holds at most a buffer for a client that stops reading, then drops it with the last id sent', async () => {
    const reader = client();
    const res = await next;
    let dropped = 0;
    const connection = new SseConnection(res, 'start', { heartbeatMs: 60_000, stallMs: 300 }, () => dropped++);
    (await reader.answered).pause();
    let sent = 0;
    let most = 0;
    const error = await (async () => {
      for (;;) {
        sent++; // written before send waits for the socket, so the client gets it (once it reads)
        await connection.send(event(sent), `c${sent}`);
        most = Math.max(most, res.writableLength);
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamEnded);
    expect((error as StreamEnded).dropped).toBe(true);
    expect(dropped).toBe(1);
    // Never more than the socket's high-water mark and one frame held in the process.
    expect(most).toBeLessThan(res.writableHighWaterMark + 5000);
    const paused = await reader.answered;
    const ended = new Promise((resolve) => paused.once('end', resolve));
    paused.resume();
    await ended;
    const frames = reader.text().split('\n\n');
    const last = frames.filter((f) => f.trim() !== '').pop()!;
    expect(last).toMatch(/^event: stream.dropped\ndata: /);
    expect(JSON.parse(last.split('data: ')[1])).toMatchObject({ lastEventId: `c${sent}` });
    expect(frames.filter((f) => f.startsWith('id: ')).pop()).toMatch(new RegExp(`^id: c${sent}\n`));
  });
});
