import type { CertificateDelivery, CertificateToDeliver } from '../../src/ports/certificate-delivery.port.js';
import type { CertificateProvider } from '../../src/ports/certificates.port.js';
import { silentLogger } from '../../src/ports/logger.port.js';
import { NO_FAULTS } from '../../src/ports/fault-points.port.js';
import { CertificateRenewer } from '../../src/school/renewal/certificate-renewer.js';
import { loadSchool } from '../../src/school/school-stream.js';
import { schoolStreamId } from '../../src/domain/school/events.js';
import { FakeClock, InMemoryEventStore } from '../support/in-memory.js';
import { provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

/** The renewer delivers each renewed certificate again, and any live certificate whose delivery is behind. */
describe('CertificateRenewer and CERT_DELIVERY', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };
  let store: InMemoryEventStore;
  let delivered: CertificateToDeliver[];
  let failDelivery: boolean;
  const certificates = {
    name: 'local',
    renew: async () => ({
      reference: 'local:cd34',
      serialNumber: 'cd34',
      domain: 'greenwood.syncad.in',
      issuer: 'CN=SCS Local CA',
      notBefore: '2027-01-24T10:00:00.000Z',
      notAfter: '2027-04-24T10:00:00.000Z',
    }),
  } as unknown as CertificateProvider;
  const delivery = {
    name: 'files',
    owner: 'scs-test',
    deliver: async (request: CertificateToDeliver) => {
      if (failDelivery) throw new Error('disk full');
      delivered.push(request);
      return { location: `/srv/tls/${request.domain}`, changed: true };
    },
  } as unknown as CertificateDelivery;
  const renewer = (at: string) =>
    new CertificateRenewer(store, certificates, delivery, NO_FAULTS, new FakeClock(at), silentLogger, policy);
  const types = () => store.events.map((e) => e.type);

  beforeEach(async () => {
    store = new InMemoryEventStore();
    delivered = [];
    failDelivery = false;
    const metadata = { actor: 'test', correlationId: 'c', now: '2026-11-24T10:00:05.000Z' };
    await store.append(
      schoolStreamId(SCHOOL_ID),
      provisionedSchool().map((e) => ({ type: e.type, data: e.data as never, metadata })),
      'no_stream',
    );
  });

  it("delivers a school's certificate delivered with another CERT_DELIVERY (here `none`) once", async () => {
    expect(await renewer('2026-11-25T10:00:00.000Z').sweep()).toEqual({ renewed: 0, delivered: 1, failed: 0 });
    expect(delivered).toEqual([
      { schoolId: SCHOOL_ID, domain: 'greenwood.syncad.in', serialNumber: 'ab12', reference: 'local:ab12' },
    ]);
    expect(store.events.at(-1)).toMatchObject({
      type: 'CertificateDelivered',
      data: { delivery: 'files', serialNumber: 'ab12', location: '/srv/tls/greenwood.syncad.in', renewal: true },
      metadata: { actor: 'certificate-renewer', correlationId: 'c' },
    });
    expect(await renewer('2026-11-25T10:00:00.000Z').sweep()).toEqual({ renewed: 0, delivered: 0, failed: 0 });
  });

  it('delivers the renewed certificate right after recording its renewal, naming the one it replaces', async () => {
    // Two thirds of the fixture's 90 days have passed: due.
    expect(await renewer('2027-02-01T10:00:00.000Z').sweep()).toEqual({ renewed: 1, delivered: 0, failed: 0 });
    expect(types().slice(-2)).toEqual(['CertificateRenewed', 'CertificateDelivered']);
    expect(delivered).toEqual([
      {
        schoolId: SCHOOL_ID,
        domain: 'greenwood.syncad.in',
        serialNumber: 'cd34',
        reference: 'local:cd34',
        previousReference: 'local:ab12',
      },
    ]);
    const { state } = await loadSchool(store, SCHOOL_ID);
    expect(state!.resources.delivered).toMatchObject({ delivery: 'files', serialNumber: 'cd34' });
  });

  it('keeps a renewal whose delivery failed, and the next sweep delivers it', async () => {
    failDelivery = true;
    expect(await renewer('2027-02-01T10:00:00.000Z').sweep()).toEqual({ renewed: 1, delivered: 0, failed: 0 });
    expect(types().at(-1)).toBe('CertificateRenewed');
    expect(await renewer('2027-02-01T10:00:01.000Z').sweep()).toEqual({ renewed: 0, delivered: 0, failed: 1 });
    failDelivery = false;
    expect(await renewer('2027-02-01T10:01:00.000Z').sweep()).toEqual({ renewed: 0, delivered: 1, failed: 0 });
    expect(types().slice(-2)).toEqual(['CertificateRenewed', 'CertificateDelivered']);
    expect(delivered.map((d) => d.serialNumber)).toEqual(['cd34']);
  });
});
