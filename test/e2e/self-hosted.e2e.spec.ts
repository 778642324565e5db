import { X509Certificate } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freshDatabase, query } from '../support/databases.js';
import { schoolBody, startScs, waitFor, waitForStatus, type ScsProcess } from '../support/scs-process.js';
import {
  describeWith,
  freePort,
  powerDnsAndPebbleEnv,
  startPebble,
  startPowerDns,
  startSmtpReceiver,
  type PebbleServer,
  type PowerDnsServer,
  type SmtpReceiver,
} from '../support/self-hosted.js';

describeWith(['pdns_server', 'gsqlite3', 'sqlite3', 'dig', 'pebble', 'openssl'])(
  'self-hosted providers end to end: PowerDNS, ACME (Pebble), SMTP',
  () => {
    let central: Awaited<ReturnType<typeof freshDatabase>>;
    let powerdns: PowerDnsServer;
    let pebble: PebbleServer;
    let smtp: SmtpReceiver;
    let scs: ScsProcess;

    beforeAll(async () => {
      central = await freshDatabase('scs_selfhosted');
      powerdns = await startPowerDns('scs.test');
      pebble = await startPebble(`127.0.0.1:${powerdns.dnsPort}`);
      smtp = await startSmtpReceiver();
      scs = await startScs({
        databaseUrl: central.url,
        env: {
          ...powerDnsAndPebbleEnv(powerdns, pebble),
          SCHOOL_DNS_TARGET: '127.0.0.1',
          MAIL_PROVIDER: 'smtp',
          SMTP_URL: `smtp://scs:secret@127.0.0.1:${smtp.port}`,
          SES_FROM_EMAIL: 'welcome@scs.test',
        },
      });
    });

    afterAll(async () => {
      await scs?.stop();
      await smtp?.stop();
      await pebble?.stop();
      await powerdns?.stop();
      await central?.drop();
    });

    it('provisions a school: dig answers, the certificate chains to Pebble, the mail arrives; DELETE removes and revokes', async () => {
      const times: number[] = [];
      const schools = [];
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
        expect(created.status).toBe(202);
        const school = await waitForStatus(scs, created.body.id, ['active', 'failed'], 60_000);
        expect(school).toMatchObject({ status: 'active', warnings: [] });
        times.push(performance.now() - started);
        schools.push(school);
      }
      times.sort((a, b) => a - b);
      console.log(
        `POST→active with powerdns + acme (Pebble) + smtp: median ${((times[4] + times[5]) / 2).toFixed(0)} ms of 10 (min ${times[0].toFixed(0)}, max ${times[9].toFixed(0)})`,
      );

      const school = schools[0];
      expect(await powerdns.dig(school.subdomain, 'A')).toEqual(['127.0.0.1']);
      const [row] = await query(
        central.url,
        'SELECT certificate_pem FROM acme_certificates WHERE school_id = $1 AND revoked_at IS NULL',
        [school.id],
      );
      const leaf = new X509Certificate(row.certificate_pem);
      const intermediate = new X509Certificate((await pebble.management('/intermediates/0')).body);
      const root = new X509Certificate((await pebble.management('/roots/0')).body);
      expect(leaf.subjectAltName).toBe(`DNS:${school.subdomain}`);
      expect(leaf.verify(intermediate.publicKey) && intermediate.verify(root.publicKey)).toBe(true);
      expect(school.certificate.serialNumber).toBe(leaf.serialNumber.toLowerCase());
      const mail = smtp.messages.find((m) => m.raw.includes(`welcome-${school.id}@scs.local`));
      expect(mail).toBeDefined();
      expect(mail!.to).toEqual(['admin@greenwood.example']);

      expect((await scs.request(`/school/${school.id}`, { method: 'DELETE' })).status).toBe(202);
      await waitForStatus(scs, school.id, ['deleted'], 60_000);
      expect(await powerdns.dig(school.subdomain, 'A')).toEqual([]);
      const status = JSON.parse(
        (await pebble.management(`/cert-status-by-serial/${school.certificate.serialNumber}`)).body,
      ).Status;
      expect(status).toBe('Revoked');
    });

    it('retries while the DNS provider is unreachable and resumes when it is back; readiness is not affected', async () => {
      // A TCP relay in front of PowerDNS's API that the test can switch off: connections are refused.
      const target = new URL(powerdns.apiUrl);
      const port = await freePort();
      const sockets = new Set<Socket>();
      let relay: Server | undefined;
      const up = () =>
        new Promise<void>((resolve) => {
          relay = createServer((client) => {
            const upstream = connect(Number(target.port), target.hostname);
            for (const s of [client, upstream]) {
              sockets.add(s);
              s.on('error', () => undefined);
              s.on('close', () => sockets.delete(s));
            }
            client.pipe(upstream).pipe(client);
          }).listen(port, '127.0.0.1', () => resolve());
        });
      const down = () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          relay!.close(() => resolve());
        });

      await up();
      // Its own central database: one process manager per store (several replicas are a later step).
      const own = await freshDatabase('scs_dnsdown');
      const flaky = await startScs({
        databaseUrl: own.url,
        env: {
          BASE_DOMAIN: 'scs.test',
          DNS_PROVIDER: 'powerdns',
          POWERDNS_API_URL: `http://127.0.0.1:${port}`,
          POWERDNS_API_KEY: powerdns.apiKey,
          SCS_RETRY_BASE_MS: '200',
          SCS_RETRY_MAX_MS: '400',
          SCS_RETRY_MAX_ATTEMPTS: '20',
        },
      });
      try {
        await down();
        const created = await flaky.request('/school', { method: 'POST', json: schoolBody() });
        await waitFor(
          'a failed DNS attempt',
          async () => {
            const res = await flaky.request(`/school/${created.body.id}`);
            return res.body.steps?.find(
              (s: { name: string; attempts: number }) => s.name === 'create_dns' && s.attempts >= 2,
            )
              ? res
              : undefined;
          },
          20_000,
        );
        expect((await flaky.request('/ready', { key: null })).status).toBe(200);
        await up();
        const school = await waitForStatus(flaky, created.body.id, ['active', 'failed'], 30_000);
        expect(school.status).toBe('active');
        expect(school.steps.find((s: { name: string }) => s.name === 'create_dns').attempts).toBeGreaterThanOrEqual(2);
        expect(await powerdns.dig(school.subdomain, 'A')).toEqual(['127.0.0.1']);
      } finally {
        await flaky.stop();
        await down().catch(() => undefined);
        await own.drop();
      }
    });
  },
);
