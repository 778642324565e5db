import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CertificatePem } from '../../src/ports/certificates.port.js';
import { silentLogger, type AppLogger } from '../../src/ports/logger.port.js';
import { FileCertificateDelivery } from '../../src/adapters/certificate-delivery/files/file-delivery.js';
import { ReloadCommand } from '../../src/adapters/certificate-delivery/files/reload-command.js';

const SCHOOL = '7d2f3a64-9a41-4c2e-9a57-5a0c1b2d3e4f';
const OTHER = '11111111-2222-4333-8444-555555555555';
const DOMAIN = 'greenwood.syncad.in';
const pem = (serialNumber: string): CertificatePem => ({
  serialNumber,
  fullchainPem: `-----BEGIN CERTIFICATE-----\n${serialNumber}\n-----END CERTIFICATE-----\n`,
  privateKeyPem: `-----BEGIN PRIVATE KEY-----\nkey-of-${serialNumber}\n-----END PRIVATE KEY-----\n`,
});

describe('CERT_DELIVERY=files: PEM files per school host name, marked, written whole', () => {
  let dir: string;
  let live: CertificatePem | undefined;
  const provider = { pemOf: async () => live };
  const files = (reload?: ReloadCommand, owner = 'scs-test') =>
    new FileCertificateDelivery({ dir, owner, certificates: provider, reload });
  const folder = () => join(dir, DOMAIN);
  const certificate = (serialNumber: string) => ({ schoolId: SCHOOL, domain: DOMAIN, serialNumber, reference: 'x' });

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'scs-tls-')), 'tls');
    live = pem('0a1b');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes fullchain.pem, privkey.pem (0600) and the mark; a repeat changes nothing', async () => {
    expect(await files().deliver(certificate('0a1b'))).toEqual({ location: folder(), changed: true });
    expect(readFileSync(join(folder(), 'fullchain.pem'), 'utf8')).toBe(live!.fullchainPem);
    expect(readFileSync(join(folder(), 'privkey.pem'), 'utf8')).toBe(live!.privateKeyPem);
    expect(statSync(join(folder(), 'privkey.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(folder(), 'fullchain.pem')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(folder(), 'scs-owner'), 'utf8')).toBe(
      `heritage=scs,scs/owner=scs-test,scs/school=${SCHOOL},scs/serial=0a1b\n`,
    );
    const written = statSync(join(folder(), 'fullchain.pem')).mtimeMs;
    expect(await files().deliver(certificate('0a1b'))).toEqual({ location: folder(), changed: false });
    expect(statSync(join(folder(), 'fullchain.pem')).mtimeMs).toBe(written);
    // No temporary file is left beside them.
    expect(readdirSync(folder()).sort()).toEqual(['fullchain.pem', 'privkey.pem', 'scs-owner']);
  });

  it('replaces the files by rename: a reader holding the old file keeps it whole, the path gives the new one', async () => {
    await files().deliver(certificate('0a1b'));
    const before = statSync(join(folder(), 'fullchain.pem')).ino;
    live = pem('0c2d');
    expect(await files().deliver(certificate('0c2d'))).toEqual({ location: folder(), changed: true });
    expect(statSync(join(folder(), 'fullchain.pem')).ino).not.toBe(before); // a new file, not rewritten in place
    expect(readFileSync(join(folder(), 'fullchain.pem'), 'utf8')).toBe(pem('0c2d').fullchainPem);
    expect(readFileSync(join(folder(), 'privkey.pem'), 'utf8')).toBe(pem('0c2d').privateKeyPem);
  });

  it("refuses to deliver another serial than the provider's live one (retried), or with no live certificate", async () => {
    await expect(files().deliver(certificate('ffff'))).rejects.toMatchObject({ permanent: false });
    live = undefined;
    await expect(files().deliver(certificate('0a1b'))).rejects.toMatchObject({ permanent: false });
    expect(existsSync(folder())).toBe(false);
  });

  it('never writes over or removes files it did not write, or another instance’s or school’s', async () => {
    mkdirSync(folder(), { recursive: true });
    writeFileSync(join(folder(), 'fullchain.pem'), 'hand-made');
    await expect(files().deliver(certificate('0a1b'))).rejects.toMatchObject({
      permanent: true,
      message: expect.stringMatching(/without an SCS mark/),
    });
    expect(await files().withdraw({ schoolId: SCHOOL, domain: DOMAIN })).toEqual({
      location: folder(),
      existed: true,
      owned: false,
    });
    expect(readFileSync(join(folder(), 'fullchain.pem'), 'utf8')).toBe('hand-made');
    rmSync(folder(), { recursive: true });

    await files(undefined, 'staging').deliver(certificate('0a1b'));
    await expect(files().deliver(certificate('0a1b'))).rejects.toThrow(/of the SCS instance "staging"/);
    expect((await files().withdraw({ schoolId: SCHOOL, domain: DOMAIN })).owned).toBe(false);
    expect((await files(undefined, 'staging').withdraw({ schoolId: OTHER, domain: DOMAIN })).owned).toBe(false);
    expect(existsSync(join(folder(), 'privkey.pem'))).toBe(true);
  });

  it('withdraws its own files and folder; a second withdrawal finds nothing', async () => {
    await files().deliver(certificate('0a1b'));
    expect(await files().withdraw({ schoolId: SCHOOL, domain: DOMAIN })).toEqual({
      location: folder(),
      existed: true,
      owned: true,
    });
    expect(existsSync(folder())).toBe(false);
    expect(await files().withdraw({ schoolId: SCHOOL, domain: DOMAIN })).toEqual({
      location: folder(),
      existed: false,
      owned: true,
    });
  });

  it('lists every folder with its mark for the reconciler (unmarked ones as nobody’s)', async () => {
    await files().deliver(certificate('0a1b'));
    mkdirSync(join(dir, 'hand.syncad.in'));
    writeFileSync(join(dir, 'hand.syncad.in', 'fullchain.pem'), 'x');
    const listed = await files().listDelivered();
    expect(listed.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: folder(), domain: DOMAIN, schoolId: SCHOOL, owner: 'scs-test' },
      { name: join(dir, 'hand.syncad.in'), domain: 'hand.syncad.in', schoolId: undefined, owner: '' },
    ]);
  });

  it('with CERT_WILDCARD delivers the one certificate once, renews it in place, and leaves it to the other schools', async () => {
    const reloads: string[] = [];
    const reload = { changed: () => reloads.push('changed') } as unknown as ReloadCommand;
    const shared = () =>
      new FileCertificateDelivery({ dir, owner: 'scs-test', certificates: provider, reload, wildcard: true });
    const folder = join(dir, '_wildcard.syncad.in');
    const other = { schoolId: OTHER, domain: 'oakridge.syncad.in', reference: 'x' };
    expect(await shared().deliver(certificate('0a1b'))).toEqual({ location: folder, changed: true });
    expect(await shared().deliver({ ...other, serialNumber: '0a1b' })).toEqual({ location: folder, changed: false });
    expect(readdirSync(dir)).toEqual(['_wildcard.syncad.in']);
    expect(readFileSync(join(folder, 'scs-owner'), 'utf8')).toBe(
      'heritage=scs,scs/owner=scs-test,scs/school=shared,scs/serial=0a1b\n',
    );
    live = pem('0c2d'); // renewed: the first school's delivery writes it, the next finds it there
    expect(await shared().deliver(certificate('0c2d'))).toEqual({ location: folder, changed: true });
    expect(await shared().deliver({ ...other, serialNumber: '0c2d' })).toEqual({ location: folder, changed: false });
    expect(readFileSync(join(folder, 'fullchain.pem'), 'utf8')).toBe(pem('0c2d').fullchainPem);
    expect(reloads).toHaveLength(2);
    // A school's teardown leaves the shared files to the others.
    expect(await shared().withdraw({ schoolId: SCHOOL, domain: DOMAIN })).toEqual({
      location: folder,
      existed: true,
      owned: false,
    });
    expect(existsSync(join(folder, 'privkey.pem'))).toBe(true);
    expect(await shared().listDelivered()).toEqual([
      { name: folder, domain: '_wildcard.syncad.in', schoolId: 'shared', owner: 'scs-test' },
    ]);
    // Once no school uses it, the reconciler withdraws it as the shared delivery.
    expect(await shared().withdraw({ schoolId: 'shared', domain: '_wildcard.syncad.in' })).toEqual({
      location: folder,
      existed: true,
      owned: true,
    });
    expect(existsSync(folder)).toBe(false);
  });

  it('refuses a name that is not a host name (no path outside the folder)', async () => {
    await expect(files().deliver({ ...certificate('0a1b'), domain: '../etc' })).rejects.toMatchObject({
      permanent: true,
    });
  });
});

describe('CERT_RELOAD_COMMAND: once per batch of changes, failures logged, counted and retried', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'scs-reload-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Until `ok()`, looked at every 10 ms, for at most 10 s. */
  const waitUntil = async (ok: () => boolean) => {
    for (const deadline = Date.now() + 10_000; !ok(); await wait(10))
      if (Date.now() > deadline) throw new Error('not within 10 s');
  };
  const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
  const logger = () => {
    const errors: string[] = [];
    const log: AppLogger = { ...silentLogger, error: (message: string) => errors.push(message) };
    return { log, errors };
  };

  it('runs the command once for changes that come together, and once more for a change during its run', async () => {
    const runs = join(dir, 'runs');
    const outcomes: string[] = [];
    const reload = new ReloadCommand({
      command: `echo run >> ${runs}; sleep 0.3`,
      debounceMs: 100,
      logger: silentLogger,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    reload.changed();
    reload.changed();
    reload.changed();
    await wait(250); // the batch's run has started (after 100 ms) and sleeps
    expect(lines(runs)).toEqual(['run']);
    reload.changed(); // during the run: one more run after it
    reload.changed();
    await wait(800);
    expect(lines(runs)).toEqual(['run', 'run']);
    expect(outcomes).toEqual(['succeeded', 'succeeded']);
    expect(reload.waiting).toBe(false);
  });

  it('logs and counts a failed run and tries again with backoff until it succeeds', async () => {
    const runs = join(dir, 'runs');
    const healthy = join(dir, 'healthy');
    // Each outcome with whether its changes were waiting again right after it (while a retry runs they
    // are in that run, not waiting: a fixed-time sample could land in one on a loaded machine).
    const outcomes: string[] = [];
    const waitingAfter: boolean[] = [];
    const { log, errors } = logger();
    const reload: ReloadCommand = new ReloadCommand({
      command: `echo run >> ${runs}; test -e ${healthy} || { echo 'nginx: [emerg] cannot load certificate' >&2; exit 1; }`,
      debounceMs: 10,
      retryBaseMs: 50,
      retryMaxMs: 100,
      logger: log,
      onOutcome: (outcome) => {
        outcomes.push(outcome);
        waitingAfter.push(reload.waiting);
      },
    });
    reload.changed();
    await waitUntil(() => outcomes.length >= 2);
    expect(new Set(outcomes)).toEqual(new Set(['failed']));
    expect(errors[0]).toMatch(
      /certificate reload command failed \(attempt 1, 1 change\(s\) waiting\): .*cannot load certificate/,
    );
    expect(waitingAfter.every(Boolean)).toBe(true);
    writeFileSync(healthy, '');
    await waitUntil(() => outcomes.at(-1) === 'succeeded');
    expect(reload.waiting).toBe(false);
    const settled = lines(runs).length;
    await wait(200);
    expect(lines(runs).length).toBe(settled); // no run without a change
  });

  it('runs a waiting batch at close, without waiting for the timer', async () => {
    const runs = join(dir, 'runs');
    const reload = new ReloadCommand({ command: `echo run >> ${runs}`, debounceMs: 60_000, logger: silentLogger });
    reload.changed();
    await reload.close();
    expect(lines(runs)).toEqual(['run']);
  });

  it('is triggered by file deliveries, and not by a delivery that changed nothing', async () => {
    const runs = join(dir, 'runs');
    const reload = new ReloadCommand({ command: `echo run >> ${runs}`, debounceMs: 50, logger: silentLogger });
    const delivery = new FileCertificateDelivery({
      dir: join(dir, 'tls'),
      owner: 'scs-test',
      certificates: { pemOf: async () => pem('0a1b') },
      reload,
    });
    const school = (domain: string) => ({ schoolId: SCHOOL, domain, serialNumber: '0a1b', reference: 'x' });
    await delivery.deliver(school('a.syncad.in'));
    await delivery.deliver(school('b.syncad.in'));
    await wait(300);
    expect(lines(runs)).toEqual(['run']);
    await delivery.deliver(school('a.syncad.in'));
    await wait(200);
    expect(lines(runs)).toEqual(['run']);
    await delivery.withdraw({ schoolId: SCHOOL, domain: 'b.syncad.in' });
    await wait(200);
    expect(lines(runs)).toEqual(['run', 'run']);
  });
});
