import { DnsNameTakenError, type DnsProvider, type DnsRecord } from '../../src/ports/dns.port.js';

const SCHOOL = '7d2f3a64-9a41-4c2e-9a57-5a0c1b2d3e4f';
const OTHER_SCHOOL = '0b9e1c55-3f2a-4d7e-8c61-2a4b6d8f0e13';

/**
 * The ownership rules every DNS adapter keeps, against its real server: `provider(owner)` makes an
 * adapter for the SCS instance `owner` on one zone, `zone` is that zone's name. Each case uses names
 * of its own, so the cases share the zone.
 */
export function dnsOwnershipCases(provider: (owner: string) => DnsProvider, zone: string): void {
  const record = (label: string): DnsRecord => ({ name: `${label}.${zone}`, type: 'A', value: '192.0.2.10', ttl: 60 });
  const at = async (dns: DnsProvider, name: string) =>
    (await dns.list()).filter((r) => r.name === name || r.name.endsWith(`.${name}`));
  const taken = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DnsNameTakenError);
    expect((error as DnsNameTakenError).permanent).toBe(true);
    return error as DnsNameTakenError;
  };

  it('claims a free name: the record and its ownership mark, and again changes nothing', async () => {
    const dns = provider('scs-prod');
    await dns.claim(record('free'), SCHOOL);
    await dns.claim(record('free'), SCHOOL);
    expect(await at(dns, `free.${zone}`)).toEqual([
      {
        name: `_scs-owner.free.${zone}`,
        type: 'TXT',
        value: `heritage=scs,scs/owner=scs-prod,scs/school=${SCHOOL},scs/type=A`,
        ttl: 60,
      },
      record('free'),
    ]);
  });

  it('repoints a name the school owns in place (a suspension and its undoing); no other school may', async () => {
    const dns = provider('scs-prod');
    await dns.claim(record('paused'), SCHOOL);
    await dns.claim({ ...record('paused'), value: '192.0.2.99' }, SCHOOL);
    const pointed = await at(dns, `paused.${zone}`);
    expect(pointed.filter((r) => r.type === 'A')).toEqual([{ ...record('paused'), value: '192.0.2.99' }]);
    expect(pointed.filter((r) => r.type === 'TXT')).toHaveLength(1);
    await taken(dns.claim(record('paused'), OTHER_SCHOOL));
    await dns.claim(record('paused'), SCHOOL);
    expect((await at(dns, `paused.${zone}`)).filter((r) => r.type === 'A')).toEqual([record('paused')]);
  });

  it("never replaces another team's record at the name, nor claims a name with one under it", async () => {
    const dns = provider('scs-prod');
    const theirs = { ...record('shop'), value: '198.51.100.7' };
    await dns.upsert(theirs);
    const error = await taken(dns.claim(record('shop'), SCHOOL));
    expect(error.records).toEqual([theirs]);
    expect(await at(dns, `shop.${zone}`)).toEqual([theirs]);

    const validation: DnsRecord = {
      name: `_acme-challenge.acm.${zone}`,
      type: 'CNAME',
      value: `_x1.acm-validations.aws`,
      ttl: 60,
    };
    await dns.upsert(validation);
    await taken(dns.claim(record('acm'), SCHOOL));
    expect(await at(dns, `acm.${zone}`)).toEqual([validation]);
  });

  it('release leaves a record it does not own, and deletes its own with its mark', async () => {
    const dns = provider('scs-prod');
    const theirs = record('kept');
    await dns.upsert(theirs);
    expect(await dns.release(theirs.name, 'A', SCHOOL)).toMatchObject({ existed: true, owned: false });
    expect(await at(dns, theirs.name)).toEqual([theirs]);

    await dns.claim(record('gone'), SCHOOL);
    // Another school of the same instance does not own it either.
    expect(await dns.release(`gone.${zone}`, 'A', OTHER_SCHOOL)).toMatchObject({ existed: true, owned: false });
    expect(await dns.release(`gone.${zone}`, 'A', SCHOOL)).toMatchObject({ existed: true, owned: true });
    expect(await at(dns, `gone.${zone}`)).toEqual([]);
    expect(await dns.release(`gone.${zone}`, 'A', SCHOOL)).toMatchObject({ existed: false });
  });

  it('two SCS instances sharing the zone never touch each other’s records', async () => {
    const production = provider('scs-prod');
    const staging = provider('scs-staging');
    await production.claim(record('shared'), SCHOOL);
    await taken(staging.claim({ ...record('shared'), value: '203.0.113.99' }, SCHOOL));
    expect(await staging.release(`shared.${zone}`, 'A', SCHOOL)).toMatchObject({ owned: false });
    expect((await at(production, `shared.${zone}`)).find((r) => r.type === 'A')).toEqual(record('shared'));
  });

  it('adopt marks a record made before ownership, after which it is released like any other', async () => {
    const dns = provider('scs-prod');
    const old = record('legacy');
    await dns.upsert(old);
    await dns.adopt(old, SCHOOL);
    expect(await dns.recordsAt(old.name)).toContainEqual(expect.objectContaining({ name: `_scs-owner.${old.name}` }));
    expect(await dns.release(old.name, 'A', SCHOOL)).toMatchObject({ existed: true, owned: true });
    expect(await at(dns, old.name)).toEqual([]);
  });
}
