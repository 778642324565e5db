import { StepError } from '../../src/ports/step-error.js';
import { PowerDnsProvider, quoteTxt, unquoteTxt } from '../../src/adapters/dns/powerdns/powerdns-dns.js';
import { dnsOwnershipCases } from '../support/dns-ownership.js';
import { describeWith, freePort, startPowerDns, type PowerDnsServer } from '../support/self-hosted.js';

async function rejection(promise: Promise<unknown>): Promise<StepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StepError);
  return error as StepError;
}

describe('PowerDNS TXT quoting', () => {
  it('quotes, escapes and splits at 255 octets, and reads it back', () => {
    expect(quoteTxt('v=spf1 "x" \\')).toBe('"v=spf1 \\"x\\" \\\\"');
    const long = 'é'.repeat(200); // 400 octets: the split falls inside a character
    expect(quoteTxt(long).split('" "')).toHaveLength(2);
    for (const value of ['plain', 'say "hi" \\o/', long, '']) expect(unquoteTxt(quoteTxt(value))).toBe(value);
  });
});

describeWith(['pdns_server', 'gsqlite3', 'sqlite3', 'dig'])('PowerDnsProvider against PowerDNS 4.7', () => {
  let server: PowerDnsServer;
  let dns: PowerDnsProvider;

  beforeAll(async () => {
    server = await startPowerDns('scs.test');
    dns = new PowerDnsProvider({ apiUrl: server.apiUrl, apiKey: server.apiKey, zone: 'scs.test', owner: 'scs-prod' });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('upserts A, CNAME and TXT records that the server answers, each change raising the zone serial', async () => {
    const a = await dns.upsert({ name: 'greenwood.scs.test', type: 'A', value: '192.0.2.10', ttl: 60 });
    const cname = await dns.upsert({
      name: 'www.greenwood.scs.test',
      type: 'CNAME',
      value: 'greenwood.scs.test',
      ttl: 60,
    });
    const txt = await dns.upsert({
      name: '_acme-challenge.greenwood.scs.test',
      type: 'TXT',
      value: 'token "quoted" \\ end',
      ttl: 60,
    });

    expect(await server.dig('greenwood.scs.test', 'A')).toEqual(['192.0.2.10']);
    expect(await server.dig('www.greenwood.scs.test', 'CNAME')).toEqual(['greenwood.scs.test.']);
    expect(await server.dig('_acme-challenge.greenwood.scs.test', 'TXT')).toEqual(['"token \\"quoted\\" \\\\ end"']);
    expect(Number(a.reference)).toBeGreaterThan(0);
    expect(Number(cname.reference)).toBeGreaterThan(Number(a.reference));
    expect(Number(txt.reference)).toBeGreaterThan(Number(cname.reference));
  });

  it('replaces the record set instead of adding to it', async () => {
    await dns.upsert({ name: 'oakridge.scs.test', type: 'A', value: '192.0.2.20', ttl: 60 });
    await dns.upsert({ name: 'oakridge.scs.test', type: 'A', value: '192.0.2.21', ttl: 120 });
    expect(await server.dig('oakridge.scs.test', 'A')).toEqual(['192.0.2.21']);
    expect((await dns.list()).filter((r) => r.name === 'oakridge.scs.test')).toEqual([
      { name: 'oakridge.scs.test', type: 'A', value: '192.0.2.21', ttl: 120 },
    ]);
  });

  it('lists the A, CNAME and TXT records of the zone in the port shape, without SOA and NS', async () => {
    const records = await dns.list();
    expect(records).toEqual(
      expect.arrayContaining([
        { name: 'greenwood.scs.test', type: 'A', value: '192.0.2.10', ttl: 60 },
        { name: 'www.greenwood.scs.test', type: 'CNAME', value: 'greenwood.scs.test', ttl: 60 },
        { name: '_acme-challenge.greenwood.scs.test', type: 'TXT', value: 'token "quoted" \\ end', ttl: 60 },
      ]),
    );
    expect(records.map((r) => r.type).every((t) => ['A', 'CNAME', 'TXT'].includes(t))).toBe(true);
  });

  it('removes a record set, reporting whether it existed', async () => {
    await dns.upsert({ name: 'maple.scs.test', type: 'A', value: '192.0.2.30', ttl: 60 });
    await dns.upsert({ name: 'maple.scs.test', type: 'TXT', value: 'stays', ttl: 60 });
    const removed = await dns.remove('maple.scs.test', 'A');
    expect(removed.existed).toBe(true);
    expect(await server.dig('maple.scs.test', 'A')).toEqual([]);
    expect(await server.dig('maple.scs.test', 'TXT')).toEqual(['"stays"']);

    const again = await dns.remove('maple.scs.test', 'A');
    expect(again.existed).toBe(false);
    expect(Number(again.reference)).toBeGreaterThanOrEqual(Number(removed.reference));
  });

  it('refuses a bad API key permanently', async () => {
    const wrongKey = new PowerDnsProvider({
      apiUrl: server.apiUrl,
      apiKey: 'wrong',
      zone: 'scs.test',
      owner: 'scs-prod',
    });
    const error = await rejection(wrongKey.upsert({ name: 'x.scs.test', type: 'A', value: '192.0.2.1', ttl: 60 }));
    expect(error.permanent).toBe(true);
    expect(error.message).toMatch(/API key/);
  });

  it('names an unknown zone in a permanent error', async () => {
    const elsewhere = new PowerDnsProvider({
      apiUrl: server.apiUrl,
      apiKey: server.apiKey,
      zone: 'missing.test',
      owner: 'scs-prod',
    });
    const error = await rejection(elsewhere.upsert({ name: 'x.missing.test', type: 'A', value: '192.0.2.1', ttl: 60 }));
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('missing.test');
  });

  it("passes PowerDNS's own text on for a rejected change (422), permanently", async () => {
    const error = await rejection(dns.upsert({ name: 'greenwood.other.test', type: 'A', value: '192.0.2.1', ttl: 60 }));
    expect(error.permanent).toBe(true);
    expect(error.message).toMatch(/out of zone/);
  });

  it('treats an unreachable server as transient', async () => {
    const down = new PowerDnsProvider({
      apiUrl: `http://127.0.0.1:${await freePort()}`,
      apiKey: server.apiKey,
      zone: 'scs.test',
      owner: 'scs-prod',
    });
    const error = await rejection(down.list());
    expect(error.permanent).toBe(false);
  });

  describe('ownership', () => {
    dnsOwnershipCases(
      (owner) => new PowerDnsProvider({ apiUrl: server.apiUrl, apiKey: server.apiKey, zone: 'scs.test', owner }),
      'scs.test',
    );
  });
});
