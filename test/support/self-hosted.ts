import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';

/**
 * Real self-hosted servers for the adapter tests (PowerDNS, Pebble, an SMTP receiver, nginx), each on free
 * loopback ports in a temporary folder, started by one test file and stopped by it.
 */

export const APT_PACKAGES = 'pdns-server pdns-backend-sqlite3 pebble bind9-dnsutils sqlite3 openssl nginx';

export const BINARIES = {
  pdns_server: '/usr/sbin/pdns_server',
  gsqlite3: '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql',
  sqlite3: '/usr/bin/sqlite3',
  dig: '/usr/bin/dig',
  pebble: '/usr/bin/pebble',
  openssl: '/usr/bin/openssl',
  nginx: '/usr/sbin/nginx',
} as const;

/**
 * `describe`, or `describe.skip` with a printed reason when a server is not installed. Decided at module
 * load, because jest fixes the suite's shape before any hook runs. Under CI=true a missing binary throws,
 * so the suite fails instead of passing silently with nothing tested.
 */
export function describeWith(needs: Array<keyof typeof BINARIES>): jest.Describe {
  const missing = needs.filter((name) => !existsSync(BINARIES[name])).map((name) => `${name} (${BINARIES[name]})`);
  if (missing.length === 0) return describe;
  const reason = `missing ${missing.join(', ')}: apt-get install -y ${APT_PACKAGES}`;
  if (process.env.CI === 'true') throw new Error(`CI=true and the self-hosted provider tests cannot run: ${reason}`);
  console.warn(`Skipping self-hosted provider tests: ${reason}`);
  return describe.skip;
}

/** A loopback port free for both TCP and UDP (DNS servers need both). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer().once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free loopback port for TCP and UDP');
}

interface Daemon {
  child: ChildProcess;
  log: string;
  stop(): Promise<void>;
}

function startDaemon(command: string, args: string[], dir: string, env: NodeJS.ProcessEnv = {}): Daemon {
  const log = join(dir, `${command.split('/').pop()}.log`);
  const out = openSync(log, 'a');
  const child = spawn(command, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  return {
    child,
    log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitUntil(
  daemon: Daemon,
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (daemon.child.exitCode !== null) break;
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const tail = readFileSync(daemon.log, 'utf8').split('\n').slice(-20).join('\n');
  await daemon.stop();
  throw new Error(`${what} did not become ready (exit code ${daemon.child.exitCode}); log:\n${tail}`);
}

export interface PowerDnsServer {
  apiUrl: string;
  apiKey: string;
  dnsPort: number;
  zone: string;
  /** `dig @127.0.0.1 -p <port> +short name type`, one answer a line. */
  dig(name: string, type: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** PowerDNS 4.7 authoritative with a sqlite3 backend, caches off, and `zone` created through its API. */
export async function startPowerDns(zone = 'scs.test'): Promise<PowerDnsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'scs-pdns-'));
  const db = join(dir, 'pdns.sqlite3');
  const schema = spawnSync(BINARIES.sqlite3, [db], { input: readFileSync(BINARIES.gsqlite3) });
  if (schema.status !== 0) throw new Error(`sqlite3 could not create the PowerDNS schema: ${schema.stderr}`);
  const [dnsPort, apiPort] = [await freePort(), await freePort()];
  const apiKey = 'scs-test-api-key';
  const settings = {
    launch: 'gsqlite3',
    'gsqlite3-database': db,
    'local-address': '127.0.0.1',
    'local-port': dnsPort,
    'socket-dir': dir,
    daemon: 'no',
    guardian: 'no',
    api: 'yes',
    'api-key': apiKey,
    webserver: 'yes',
    'webserver-address': '127.0.0.1',
    'webserver-port': apiPort,
    'webserver-allow-from': '127.0.0.0/8',
    'default-soa-content': 'ns1.@ hostmaster.@ 0 10800 3600 604800 60',
    // Tests read their own writes at once: no packet, query or negative caching.
    'cache-ttl': 0,
    'negquery-cache-ttl': 0,
    'query-cache-ttl': 0,
    'zone-cache-refresh-interval': 0,
    loglevel: 4,
  };
  writeFileSync(
    join(dir, 'pdns.conf'),
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  const daemon = startDaemon(BINARIES.pdns_server, [`--config-dir=${dir}`], dir);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const headers = { 'X-API-Key': apiKey, 'Content-Type': 'application/json' };
  await waitUntil(
    daemon,
    'pdns_server',
    async () => (await fetch(`${apiUrl}/api/v1/servers/localhost`, { headers })).ok,
  );
  const created = await fetch(`${apiUrl}/api/v1/servers/localhost/zones`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: `${zone}.`, kind: 'Native', nameservers: [`ns1.${zone}.`] }),
  });
  if (created.status !== 201) throw new Error(`creating zone ${zone}: HTTP ${created.status} ${await created.text()}`);
  return {
    apiUrl,
    apiKey,
    dnsPort,
    zone,
    async dig(name, type) {
      const { stdout } = await promisify(execFile)(BINARIES.dig, [
        '@127.0.0.1',
        '-p',
        String(dnsPort),
        '+short',
        '+time=2',
        '+tries=1',
        name,
        type,
      ]);
      return stdout.split('\n').filter(Boolean);
    },
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PebbleServer {
  directoryUrl: string;
  /** The CA of Pebble's own HTTPS certificate (not of what it issues), and its file (gone after `stop`). */
  tlsCaPem: string;
  tlsCaFile: string;
  httpsAgent: Agent;
  /** GET on the management API (`/roots/0`, `/intermediates/0`, `/cert-status-by-serial/<hex>`). */
  management(path: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

function openssl(dir: string, args: string[]): void {
  const result = spawnSync(BINARIES.openssl, args, { cwd: dir });
  if (result.status !== 0) throw new Error(`openssl ${args[0]}: ${result.stderr}`);
}

/**
 * Pebble 2.4 resolving through `dnsServer`; its HTTPS certificate comes from a throwaway CA made here.
 * `certificateValiditySeconds`: the lifetime of what it issues (Pebble's default: 5 years).
 */
export async function startPebble(
  dnsServer: string,
  options: { certificateValiditySeconds?: number } = {},
): Promise<PebbleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'scs-pebble-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=SCS test Pebble TLS CA',
  ]);
  openssl(dir, ['req', ...ec, '-keyout', 'key.pem', '-out', 'cert.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'cert.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'cert.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  ]);
  const [port, managementPort, httpPort, tlsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${port}`,
      managementListenAddress: `127.0.0.1:${managementPort}`,
      certificate: join(dir, 'cert.pem'),
      privateKey: join(dir, 'key.pem'),
      httpPort,
      tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      ...(options.certificateValiditySeconds ? { certificateValidityPeriod: options.certificateValiditySeconds } : {}),
    },
  };
  writeFileSync(join(dir, 'pebble.json'), JSON.stringify(config, null, 2));
  // NOSLEEP: no random validation delay; NONCEREJECT=0: no deliberately rejected nonces (both are Pebble's chaos
  // defaults).
  const daemon = startDaemon(BINARIES.pebble, ['-config', join(dir, 'pebble.json'), '-dnsserver', dnsServer], dir, {
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_WFE_NONCEREJECT: '0',
  });
  const tlsCaPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const httpsAgent = new Agent({ ca: tlsCaPem, keepAlive: false });
  const get = (url: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      request(url, { agent: httpsAgent }, (res) => {
        let body = '';
        res
          .setEncoding('utf8')
          .on('data', (chunk) => (body += chunk))
          .on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });
  const directoryUrl = `https://127.0.0.1:${port}/dir`;
  await waitUntil(daemon, 'pebble', async () => (await get(directoryUrl)).status === 200);
  return {
    directoryUrl,
    tlsCaPem,
    tlsCaFile: join(dir, 'ca.pem'),
    httpsAgent,
    management: (path) => get(`https://127.0.0.1:${managementPort}${path}`),
    async stop() {
      await daemon.stop();
      httpsAgent.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface NginxServer {
  port: number;
  /** The master process's pid as its pid file says (a restart would change it). */
  masterPid(): number;
  /** What CERT_RELOAD_COMMAND would run to make it read its files again (`nginx -s reload`). */
  reloadCommand: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * nginx (Debian's package) on a loopback port, terminating TLS with the certificates SCS delivered as files:
 * one `server` whose `ssl_certificate` names the folder of the client's SNI name, which nginx (1.15.9 and
 * later) loads at each handshake, so a renewed file is served without a reload. As root, its worker runs as
 * `nobody`, the files' owner (CERT_DELIVERY_OWNER) in the tests.
 */
export async function startNginx(
  certificatesDir: string,
  options: { wildcardZone?: string } = {},
): Promise<NginxServer> {
  const dir = mkdtempSync(join(tmpdir(), 'scs-nginx-'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`);
  writeFileSync(
    conf,
    [
      ...(process.getuid?.() === 0 ? ['user nobody nogroup;'] : []),
      'worker_processes 1;',
      'daemon off;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log info;`,
      'events { worker_connections 64; }',
      'http {',
      `  access_log ${dir}/access.log;`,
      ...temp,
      // Only a host name makes a path: no SNI name reaches a file outside the folder.
      // With CERT_WILDCARD every school's name is served from the one folder of the shared certificate.
      '  map $ssl_server_name $school_tls {',
      options.wildcardZone
        ? `    "~^[a-z0-9-]+\\.${options.wildcardZone.replace(/\./g, '\\.')}$" _wildcard.${options.wildcardZone};`
        : '    "~^[a-z0-9][a-z0-9.-]*$" $ssl_server_name;',
      '    default none;',
      '  }',
      '  server {',
      `    listen 127.0.0.1:${port} ssl;`,
      `    ssl_certificate ${certificatesDir}/$school_tls/fullchain.pem;`,
      `    ssl_certificate_key ${certificatesDir}/$school_tls/privkey.pem;`,
      '    location / { return 200 "$ssl_server_name\\n"; }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const args = ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')];
  const daemon = startDaemon(BINARIES.nginx, args, dir);
  const listening = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
        .once('connect', () => (socket.destroy(), resolve(true)))
        .once('error', () => resolve(false));
    });
  await waitUntil(daemon, 'nginx', async () => existsSync(join(dir, 'nginx.pid')) && (await listening()));
  return {
    port,
    masterPid: () => Number(readFileSync(join(dir, 'nginx.pid'), 'utf8').trim()),
    reloadCommand: `${BINARIES.nginx} ${args.join(' ')} -s reload`,
    errorLog: () => readFileSync(join(dir, 'error.log'), 'utf8'),
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * SCS's settings for PowerDNS and ACME through Pebble (zone `powerdns.zone`). SCS trusts Pebble's throwaway
 * HTTPS certificate the way a private ACME CA is trusted in production: NODE_EXTRA_CA_CERTS, a file (Pebble's).
 */
export function powerDnsAndPebbleEnv(powerdns: PowerDnsServer, pebble: PebbleServer): Record<string, string> {
  return {
    BASE_DOMAIN: powerdns.zone,
    DNS_PROVIDER: 'powerdns',
    POWERDNS_API_URL: powerdns.apiUrl,
    POWERDNS_API_KEY: powerdns.apiKey,
    CERT_PROVIDER: 'acme',
    ACME_DIRECTORY_URL: pebble.directoryUrl,
    ACME_ACCOUNT_EMAIL: `ops@${powerdns.zone}`,
    ACME_DNS_RESOLVER: `127.0.0.1:${powerdns.dnsPort}`,
    NODE_EXTRA_CA_CERTS: pebble.tlsCaFile,
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  user?: string;
  raw: string;
}

export interface SmtpReceiver {
  port: number;
  messages: ReceivedMail[];
  /** RCPT TO for this address is answered with `code message` (e.g. 550, 451). */
  rejectRecipient(address: string, code: number, message: string): void;
  stop(): Promise<void>;
}

/** An in-memory SMTP server with AUTH (any user with password `secret`) and no STARTTLS. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const messages: ReceivedMail[] = [];
  const rejections = new Map<string, { code: number; message: string }>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.password !== 'secret')
        return callback(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      const rejection = rejections.get(address.address.toLowerCase());
      if (rejection) return callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    messages,
    rejectRecipient: (address, code, message) => rejections.set(address.toLowerCase(), { code, message }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Quoted-printable bodies as text (soft line breaks joined, `=XX` octets decoded). */
export function decodeQuotedPrintable(body: string): string {
  const joined = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined[i] === '=' ? joined.slice(i + 1, i + 3) : '';
    if (/^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(joined[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
