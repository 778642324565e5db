import { freshDatabase, query } from '../support/databases.js';
import { schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';

describe('certificate renewal at two thirds of the lifetime, as events', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;

  beforeAll(async () => {
    central = await freshDatabase('scs_renew');
    // 9-second certificates are due after 6 s; the first renewal attempt fails on purpose.
    scs = await startScs({
      databaseUrl: central.url,
      env: { SCS_LOCAL_CERT_VALIDITY_S: '9', SCS_RENEWAL_CHECK_S: '1', SCS_FAULTS: 'renew_certificate:flaky:1' },
    });
  });
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  it('renews before expiry after a visible, retried failure, and keeps one live certificate', async () => {
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    const school = await waitForStatus(scs, created.body.id, ['active']);
    const first = school.certificate;
    const dueAt = Date.parse(first.notBefore) + (2 / 3) * (Date.parse(first.notAfter) - Date.parse(first.notBefore));

    const failing = await waitFor(
      'the failed renewal to show',
      async () => {
        const res = await scs.request(`/school/${school.id}`);
        return res.body.certificate?.renewal ? res.body : undefined;
      },
      20_000,
    );
    expect(failing.certificate.renewal).toMatchObject({
      attempts: 1,
      error: expect.stringMatching(/injected transient failure/),
    });

    const renewed = await waitFor(
      'the renewal',
      async () => {
        const res = await scs.request(`/school/${school.id}`);
        return res.body.certificate?.serialNumber !== first.serialNumber ? res.body : undefined;
      },
      20_000,
    );
    expect(renewed.status).toBe('active');
    expect(renewed.certificate.renewal).toBeUndefined();
    expect(Date.parse(renewed.certificate.renewedAt)).toBeGreaterThanOrEqual(dueAt - 1000);
    expect(Date.parse(renewed.certificate.renewedAt)).toBeLessThan(Date.parse(first.notAfter));
    expect(Date.parse(renewed.certificate.notAfter)).toBeGreaterThan(Date.parse(first.notAfter));

    const history = (await scs.request(`/school/${school.id}/history`)).body.events;
    const failed = history.find((e: { type: string }) => e.type === 'CertificateRenewalFailed');
    const done = history.find((e: { type: string }) => e.type === 'CertificateRenewed');
    expect(failed.data).toMatchObject({ serialNumber: first.serialNumber, attempt: 1 });
    expect(done.data).toMatchObject({ previousSerialNumber: first.serialNumber, attempt: 2 });
    expect(done.metadata.actor).toBe('certificate-renewer');

    const rows = await query(
      central.url,
      'SELECT serial_number, revocation_reason FROM local_certificates WHERE school_id = $1 ORDER BY issued_at',
      [school.id],
    );
    expect(rows.filter((r) => r.revocation_reason === null).length).toBe(1);
    expect(rows.find((r) => r.serial_number === first.serialNumber)?.revocation_reason).toBe('superseded');
  });
});
