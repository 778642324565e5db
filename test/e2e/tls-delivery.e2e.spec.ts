import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { freshDatabase } from '../support/databases.js';
import { API_KEY, schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';
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
  let tls: ReturnType<typeof tlsFolder>;

  beforeAll(async () => {
    tls = tlsFolder();
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
    if (tls) rmSync(join(tls.dir, '..'), { recursive: true, force: true });
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
    let stack: AcmeStack;
    let tls: ReturnType<typeof tlsFolder>;
    beforeAll(async () => {
      tls = tlsFolder();
      stack = await startAcmeStack('scs_tls_acme', tls, {}, (nginx) => ({
        // Not needed by this nginx (it reads the files at each handshake); run to show the command works.
        CERT_RELOAD_COMMAND: nginx.reloadCommand,
        CERT_RELOAD_DEBOUNCE_MS: '200',
      }));
    });
    afterAll(() => stack?.stop());

    it("answers with the certificate Pebble issued, verified against Pebble's root, before and after renewal", async () => {
      const { scs, nginx, pebble } = stack;
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

describeWith(['nginx', 'pdns_server', 'gsqlite3', 'sqlite3', 'dig', 'pebble', 'openssl'])(
  'CERT_WILDCARD: the one *.<zone> certificate delivered once, served for every school, renewed in place',
  () => {
    let stack: AcmeStack;
    let tls: ReturnType<typeof tlsFolder>;
    beforeAll(async () => {
      tls = tlsFolder();
      stack = await startAcmeStack('scs_tls_wildcard', tls, { wildcardZone: 'scs.test' }, () => ({
        CERT_WILDCARD: 'true',
      }));
    });
    afterAll(() => stack?.stop());

    it('serves both schools from one folder, the renewed certificate written once, kept until no school uses it', async () => {
      const { scs, nginx, pebble, central, env } = stack;
      const root = (await pebble.management('/roots/0')).body;
      const schools = [];
      for (let i = 0; i < 2; i++) {
        const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
        schools.push(await waitForStatus(scs, created.body.id, ['active', 'failed'], 60_000));
      }
      expect(schools.map((s) => s.status)).toEqual(['active', 'active']);
      const [a, b] = schools;
      const first = [await serve(nginx, a.subdomain, root), await serve(nginx, b.subdomain, root)];
      show('wildcard, before renewal', a.subdomain, first[0]);
      expect(first[0].subjectAltName).toBe('DNS:*.scs.test');
      expect(first[1].serialNumber).toBe(first[0].serialNumber);
      expect(readdirSync(tls.dir)).toEqual(['_wildcard.scs.test']);

      const renewedSerial = async (id: string) => {
        const c = (await scs.request(`/school/${id}`)).body.certificate;
        return c.serialNumber !== a.certificate.serialNumber && c.delivered?.serialNumber === c.serialNumber
          ? c.serialNumber
          : undefined;
      };
      const renewed = await waitFor(
        'both schools renewed and delivered',
        async () => {
          const serials = [await renewedSerial(a.id), await renewedSerial(b.id)];
          return serials.every(Boolean) ? serials : undefined;
        },
        60_000,
      );
      expect(renewed[1]).toBe(renewed[0]);
      const after = [await serve(nginx, a.subdomain, root), await serve(nginx, b.subdomain, root)];
      show('wildcard, after renewal', b.subdomain, after[1]);
      expect(after.map((c) => c.serialNumber)).toEqual([bare(renewed[0]), bare(renewed[0])]);
      expect(readdirSync(tls.dir)).toEqual(['_wildcard.scs.test']);
      // Written once at the first delivery and once at the renewal; every other delivery found it there.
      const deliveries = [];
      for (const s of schools) {
        const events = (await scs.request(`/school/${s.id}/history`)).body.events;
        deliveries.push(...events.filter((e: { type: string }) => e.type === 'CertificateDelivered'));
      }
      expect(deliveries.map((e) => e.data.changed).sort()).toEqual([false, false, true, true]);

      // One school's teardown leaves the shared certificate to the other.
      await scs.request(`/school/${a.id}`, { method: 'DELETE' });
      await waitForStatus(scs, a.id, ['deleted'], 60_000);
      const withdrawn = (await scs.request(`/school/${a.id}/history`)).body.events.find(
        (e: { type: string }) => e.type === 'CertificateWithdrawn',
      );
      expect(withdrawn.data).toMatchObject({ existed: true, owned: false });
      expect((await serve(nginx, b.subdomain, root)).serialNumber).toBe(bare(renewed[0]));
      // The school left is served by the shared certificate: the reconciler finds nothing to report.
      expect(JSON.parse((await reconcileCli(central.url, env, '--json')).stdout).findings).toEqual([]);

      // Once no school uses it, the reconciler finds it an orphan of this instance and --fix removes it.
      await scs.request(`/school/${b.id}`, { method: 'DELETE' });
      await waitForStatus(scs, b.id, ['deleted'], 60_000);
      const shared = join(tls.dir, '_wildcard.scs.test');
      const report = JSON.parse((await reconcileCli(central.url, env, '--json')).stdout);
      expect(report.findings).toEqual([
        expect.objectContaining({ kind: 'orphan', resource: 'delivery', name: shared, detail: 'no school claims it' }),
      ]);
      expect((await reconcileCli(central.url, env, '--fix', '--yes')).code).toBe(0);
      expect(existsSync(shared)).toBe(false);
      await expect(serve(nginx, b.subdomain, root)).rejects.toThrow(NO_CERTIFICATE);
    }, 180_000);
  },
);

interface AcmeStack {
  central: Awaited<ReturnType<typeof freshDatabase>>;
  powerdns: PowerDnsServer;
  pebble: PebbleServer;
  nginx: NginxServer;
  scs: ScsProcess;
  /** SCS's environment (for the CLI). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** PowerDNS, Pebble issuing 30-second certificates (renewed 20 s after they start), nginx, and SCS delivering files. */
async function startAcmeStack(
  database: string,
  tls: ReturnType<typeof tlsFolder>,
  nginxOptions: { wildcardZone?: string },
  more: (nginx: NginxServer) => Record<string, string>,
): Promise<AcmeStack> {
  const parts: Partial<AcmeStack> = {};
  const stop = async () => {
    await parts.scs?.stop();
    await parts.nginx?.stop();
    await parts.pebble?.stop();
    await parts.powerdns?.stop();
    await parts.central?.drop();
    rmSync(join(tls.dir, '..'), { recursive: true, force: true });
  };
  try {
    parts.central = await freshDatabase(database);
    parts.powerdns = await startPowerDns('scs.test');
    parts.pebble = await startPebble(`127.0.0.1:${parts.powerdns.dnsPort}`, { certificateValiditySeconds: 30 });
    parts.nginx = await startNginx(tls.dir, nginxOptions);
    parts.env = {
      ...powerDnsAndPebbleEnv(parts.powerdns, parts.pebble),
      ...{ CERT_DELIVERY: 'files', CERT_DELIVERY_DIR: tls.dir, ...tls.owner, SCS_RENEWAL_CHECK_S: '1' },
      ...more(parts.nginx),
    };
    parts.scs = await startScs({ databaseUrl: parts.central.url, env: parts.env });
    return { ...(parts as Omit<AcmeStack, 'stop'>), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `scs reconcile …` as a process with the service's configuration. */
function reconcileCli(databaseUrl: string, env: Record<string, string>, ...args: string[]) {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return promisify(execFile)(process.execPath, ['dist/src/cli/main.js', 'reconcile', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: databaseUrl, SCS_API_KEY: API_KEY, ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
}
