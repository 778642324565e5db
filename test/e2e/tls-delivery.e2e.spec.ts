import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { freshDatabase } from '../support/databases.js';
import { schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';
import {
  describeWith,
  powerDnsAndPebbleEnv,
  startNginx,
  startPebble,
  startPowerDns,
  type NginxServer,
  type PebbleServer,
  type PowerDnsServer,
} from '../support/self-hosted.js';

/**
 * Issue 32's "done when": nginx on loopback serves each school's name with the certificate SCS delivered as
 * files, through SNI; after a renewal the new serial is served without restarting nginx; after teardown the
 * name gets that certificate no more. The client resolves every name to 127.0.0.1 itself (it connects there
 * and sends the name as SNI), and verifies what it is served against the CA alone.
 */

interface Served {
  subject: string;
  issuer: string;
  serialNumber: string;
  subjectAltName: string | undefined;
}

/** A TLS handshake with nginx for `name`, verified against `ca` (chain and host name): what it was served. */
function serve(nginx: NginxServer, name: string, ca: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: nginx.port, servername: name, ca, rejectUnauthorized: true });
    socket.setTimeout(5000, () => socket.destroy(new Error(`no TLS answer for ${name} in 5 s`)));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate()!;
      socket.end();
      const oneLine = (dn: string) => dn.split('\n').join(', ');
      resolve({
        subject: oneLine(cert.subject),
        issuer: oneLine(cert.issuer),
        serialNumber: cert.serialNumber.toLowerCase().replace(/^0+/, ''),
        subjectAltName: cert.subjectAltName,
      });
    });
  });
}

/** The school's `scs_certificate_expiration_timestamp_seconds` (undefined: no series), and the undelivered count. */
async function expiryMetric(scs: ScsProcess, schoolId: string): Promise<{ expiry?: number; undelivered: number }> {
  const text = await (await fetch(`${scs.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) => l.startsWith('scs_certificate_expiration_timestamp_seconds{') && l.includes(`school_id="${schoolId}"`),
    );
  const undelivered = Number(/^scs_certificates_undelivered (\d+)$/m.exec(text)?.[1]);
  return { expiry: line ? Number(line.split(' ').at(-1)) : undefined, undelivered };
}

const show = (when: string, name: string, c: Served) =>
  console.log(`${when}: ${name} served subject "${c.subject}", issuer "${c.issuer}", serial ${c.serialNumber}`);
/** nginx refusing the handshake (no certificate for the name), not a certificate the client refused. */
const NO_CERTIFICATE = /alert|socket disconnected|ECONNRESET/i;
const bare = (serial: string) => serial.toLowerCase().replace(/^0+/, '');

/** Files readable by nginx's worker: as root it runs as nobody, who is given the files. */
function tlsFolder(): { dir: string; owner: Record<string, string> } {
  const base = mkdtempSync(join(tmpdir(), 'scs-tls-e2e-'));
  chmodSync(base, 0o755);
  if (process.getuid?.() !== 0) return { dir: join(base, 'tls'), owner: {} };
  const id = (flag: string) => execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim();
  return { dir: join(base, 'tls'), owner: { CERT_DELIVERY_OWNER: `${id('-u')}:${id('-g')}` } };
}

/** Creates a school, checks what nginx serves for it, waits for its renewal, checks again, tears it down. */
async function walkThrough(
  scs: ScsProcess,
  nginx: NginxServer,
  tls: ReturnType<typeof tlsFolder>,
  ca: string,
  timeoutMs: number,
) {
  const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
  const school = await waitForStatus(scs, created.body.id, ['active', 'failed'], timeoutMs);
  expect(school.status).toBe('active');
  const name: string = school.subdomain;
  const pid = nginx.masterPid();

  const issued = await waitFor('the expiry in /metrics', async () => (await expiryMetric(scs, school.id)).expiry);
  expect(issued).toBe(Date.parse(school.certificate.notAfter) / 1000);
  const before = await serve(nginx, name, ca);
  show('before renewal', name, before);
  expect(before.subjectAltName).toBe(`DNS:${name}`);
  expect(before.serialNumber).toBe(bare(school.certificate.serialNumber));
  expect(school.certificate.delivered).toMatchObject({
    delivery: 'files',
    serialNumber: school.certificate.serialNumber,
  });
  const key = statSync(join(tls.dir, name, 'privkey.pem'));
  expect(key.mode & 0o777).toBe(0o600);
  if (tls.owner.CERT_DELIVERY_OWNER) expect(`${key.uid}:${key.gid}`).toBe(tls.owner.CERT_DELIVERY_OWNER);
  // Another name under the zone has no certificate delivered: the handshake fails, nothing is made up. Nor
  // does a name that climbs out of the folder reach the school's files (the README's `map`).
  const stranger = `nobody-${Date.now()}.${name.slice(name.indexOf('.') + 1)}`;
  await expect(serve(nginx, stranger, ca)).rejects.toThrow(NO_CERTIFICATE);
  await expect(serve(nginx, `../tls/${name}`, ca)).rejects.toThrow(NO_CERTIFICATE);

  const renewed = await waitFor(
    'the renewed certificate to be delivered',
    async () => {
      const res = await scs.request(`/school/${school.id}`);
      const c = res.body.certificate;
      return c?.serialNumber !== school.certificate.serialNumber && c?.delivered?.serialNumber === c?.serialNumber
        ? res.body
        : undefined;
    },
    timeoutMs,
  );
  const after = await serve(nginx, name, ca);
  show('after renewal', name, after);
  expect(after.serialNumber).toBe(bare(renewed.certificate.serialNumber));
  expect(after.serialNumber).not.toBe(before.serialNumber);
  expect(after.subjectAltName).toBe(`DNS:${name}`);
  expect(nginx.masterPid()).toBe(pid); // the same nginx, never restarted
  // The expiry metric follows the renewal (once the read model has it); every live certificate is delivered.
  const renewedExpiry = Date.parse(renewed.certificate.notAfter) / 1000;
  const metric = await waitFor('the renewed expiry in /metrics', async () => {
    const m = await expiryMetric(scs, school.id);
    return m.expiry === renewedExpiry ? m : undefined;
  });
  expect(metric.undelivered).toBe(0);
  expect(renewedExpiry).toBeGreaterThan(Date.parse(school.certificate.notAfter) / 1000);

  expect((await scs.request(`/school/${school.id}`, { method: 'DELETE' })).status).toBe(202);
  await waitForStatus(scs, school.id, ['deleted'], timeoutMs);
  await expect(serve(nginx, name, ca)).rejects.toThrow(NO_CERTIFICATE);
  expect(nginx.masterPid()).toBe(pid);
  await waitFor('the series gone with the school', async () =>
    (await expiryMetric(scs, school.id)).expiry === undefined ? true : undefined,
  );
  const history = (await scs.request(`/school/${school.id}/history`)).body.events.map((e: { type: string }) => e.type);
  expect(history.filter((t: string) => t === 'CertificateDelivered')).toHaveLength(2);
  expect(history).toContain('CertificateWithdrawn');
  return { school, before, after };
}

describeWith(['nginx'])('certificates delivered as files, served by nginx through SNI (local CA)', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let nginx: NginxServer;
  let scs: ScsProcess;
  const tls = tlsFolder();

  beforeAll(async () => {
    central = await freshDatabase('scs_tls');
    nginx = await startNginx(tls.dir);
    // 30-second certificates: due for renewal 20 s after they start (two thirds), checked every second.
    scs = await startScs({
      databaseUrl: central.url,
      env: {
        CERT_DELIVERY: 'files',
        CERT_DELIVERY_DIR: tls.dir,
        ...tls.owner,
        SCS_LOCAL_CERT_VALIDITY_S: '30',
        SCS_RENEWAL_CHECK_S: '1',
      },
    });
  });
  afterAll(async () => {
    await scs?.stop();
    await nginx?.stop();
    await central?.drop();
    rmSync(join(tls.dir, '..'), { recursive: true, force: true });
  });

  it("answers a new school's name with its certificate, the renewed one without a restart, and none after teardown", async () => {
    const ca = readFileSync(join(scs.dataDir, 'ca', 'ca.cert.pem'), 'utf8');
    const { school } = await walkThrough(scs, nginx, tls, ca, 40_000);
    expect(existsSync(join(tls.dir, school.subdomain))).toBe(false);
    // No reload was asked for: nginx loads the certificate at each handshake.
    expect(nginx.errorLog()).not.toMatch(/signal 1 \(SIGHUP\)|reconfiguring/);
  }, 120_000);
});

describeWith(['nginx', 'pdns_server', 'gsqlite3', 'sqlite3', 'dig', 'pebble', 'openssl'])(
  'certificates delivered as files, served by nginx through SNI (ACME, Pebble)',
  () => {
    let central: Awaited<ReturnType<typeof freshDatabase>>;
    let powerdns: PowerDnsServer;
    let pebble: PebbleServer;
    let nginx: NginxServer;
    let scs: ScsProcess;
    const tls = tlsFolder();

    beforeAll(async () => {
      central = await freshDatabase('scs_tls_acme');
      powerdns = await startPowerDns('scs.test');
      // 30-second certificates: renewed 20 s after they start.
      pebble = await startPebble(`127.0.0.1:${powerdns.dnsPort}`, { certificateValiditySeconds: 30 });
      nginx = await startNginx(tls.dir);
      scs = await startScs({
        databaseUrl: central.url,
        env: {
          ...powerDnsAndPebbleEnv(powerdns, pebble),
          CERT_DELIVERY: 'files',
          CERT_DELIVERY_DIR: tls.dir,
          ...tls.owner,
          // Not needed by this nginx (it reads the files at each handshake); run to show the command works.
          CERT_RELOAD_COMMAND: nginx.reloadCommand,
          CERT_RELOAD_DEBOUNCE_MS: '200',
          SCS_RENEWAL_CHECK_S: '1',
        },
      });
    });
    afterAll(async () => {
      await scs?.stop();
      await nginx?.stop();
      await pebble?.stop();
      await powerdns?.stop();
      await central?.drop();
      rmSync(join(tls.dir, '..'), { recursive: true, force: true });
    });

    it("answers with the certificate Pebble issued, verified against Pebble's root, before and after renewal", async () => {
      const root = (await pebble.management('/roots/0')).body;
      expect(new X509Certificate(root).ca).toBe(true);
      const { before } = await walkThrough(scs, nginx, tls, root, 90_000);
      expect(before.issuer).toMatch(/Pebble Intermediate CA/);
      // Every change (delivery, renewal, withdrawal) was followed by a run of the reload command, the ones
      // that came together in one batch; none failed.
      const count = async (outcome: string) => {
        const metrics = await (await fetch(`${scs.url}/metrics`)).text();
        return Number(new RegExp(`scs_certificate_reload_total\\{outcome="${outcome}"\\} (\\d+)`).exec(metrics)?.[1]);
      };
      const runs = () =>
        [...scs.logs.join('').matchAll(/certificate reload command ran for (\d+) change/g)].map((m) => Number(m[1]));
      await waitFor('a reload after the withdrawal', async () =>
        runs().reduce((a, b) => a + b, 0) === 3 ? true : undefined,
      );
      expect(runs().length).toBeGreaterThanOrEqual(2);
      expect(await count('succeeded')).toBe(runs().length);
      expect(await count('failed')).toBe(0);
      expect(nginx.errorLog()).toMatch(/signal 1 \(SIGHUP\) received/);
    }, 150_000);
  },
);
