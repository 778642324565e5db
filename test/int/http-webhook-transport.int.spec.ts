import { HttpWebhookTransport } from '../../src/adapters/webhooks/http/http-webhook-transport.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

/** The transport against a real receiver on loopback: connections kept between deliveries. */
describe('HttpWebhookTransport', () => {
  const receiver = new WebhookReceiver();
  const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
  let url: string;

  beforeAll(async () => {
    url = await receiver.start();
    receiver.secret = secret;
  });
  afterAll(() => receiver.stop());

  const transport = new HttpWebhookTransport({
    allowPrivate: true,
    allowHttp: true,
    connectTimeoutMs: 2000,
    timeoutMs: 5000,
  });
  const send = (id: string) => transport.send(url, { id, body: '{}', secrets: { current: secret }, now: new Date() });

  it('delivers one after another on one kept connection (no handshake per delivery), whatever the status', async () => {
    const statuses = [204, 500, 200];
    receiver.answer = () => statuses.shift() ?? 204;
    const results = [await send('msg_1'), await send('msg_2'), await send('msg_3')];
    expect(results.map((r) => r.httpStatus)).toEqual([204, 500, 200]);
    expect(receiver.connections).toBe(1);
  });
});
