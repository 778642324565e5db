import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpWebhookTransport } from '../../src/infrastructure/webhooks/http/http-webhook-transport.js';

/** The transport against a real HTTP server on loopback: connections kept between deliveries. */
describe('HttpWebhookTransport', () => {
  let server: http.Server;
  let url: string;
  let connections = 0;
  const statuses: number[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(statuses.shift() ?? 204).end());
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const transport = new HttpWebhookTransport({
    allowPrivate: true,
    allowHttp: true,
    connectTimeoutMs: 2000,
    timeoutMs: 5000,
  });
  const send = (id: string) =>
    transport.send(url, {
      id,
      body: '{}',
      secrets: { current: `whsec_${Buffer.alloc(24, 7).toString('base64')}` },
      now: new Date(),
    });

  it('delivers one after another on one kept connection (no handshake per delivery), whatever the status', async () => {
    statuses.push(204, 500, 200);
    const results = [await send('msg_1'), await send('msg_2'), await send('msg_3')];
    expect(results.map((r) => r.httpStatus)).toEqual([204, 500, 200]);
    expect(connections).toBe(1);
  });
});
