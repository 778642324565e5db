import { WebhookDestinationRefused } from '../../src/ports/webhooks.port.js';
import {
  isPrivateAddress,
  parseDestination,
  resolveDestination,
} from '../../src/adapters/webhooks/http/destinations.js';
import { signatureHeaders } from '../../src/adapters/webhooks/http/http-webhook-transport.js';
import { Webhook } from 'standardwebhooks';

describe('webhook destinations: SSRF rules', () => {
  it.each([
    '127.0.0.1',
    '127.9.9.9',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ])('%s is private', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => expect(isPrivateAddress(address)).toBe(false),
  );

  it('refuses a private address literal unless allowed, and checks the URL itself', async () => {
    const rules = { allowPrivate: false, allowHttp: true };
    await expect(resolveDestination('[::1]', rules)).rejects.toThrow(/::1, a private, loopback or link-local/);
    await expect(resolveDestination('localhost', rules)).rejects.toThrow(WebhookDestinationRefused);
    await expect(resolveDestination('127.0.0.1', { ...rules, allowPrivate: true })).resolves.toEqual([
      { address: '127.0.0.1', family: 4 },
    ]);
    expect(() => parseDestination('ftp://example.com/', rules)).toThrow('must be http or https');
    expect(() => parseDestination('http://example.com/', { ...rules, allowHttp: false })).toThrow('must be https');
    expect(() => parseDestination('https://u:p@example.com/', rules)).toThrow('must not carry credentials');
    expect(parseDestination('https://example.com/hook', rules).hostname).toBe('example.com');
  });
});

describe('webhook signatures (Standard Webhooks)', () => {
  const current = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
  const previous = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
  const now = new Date();

  it('one signature per secret, each verified by the standardwebhooks library', () => {
    const body = '{"hello":"world"}';
    const one = signatureHeaders('msg_1', now, body, { current });
    expect(one['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() => new Webhook(current).verify(body, one)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, one)).toThrow();
    const both = signatureHeaders('msg_1', now, body, { current, previous });
    expect(both['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, both)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, both)).not.toThrow();
    expect(() => new Webhook(current).verify('{"hello":"there"}', both)).toThrow();
  });
});
