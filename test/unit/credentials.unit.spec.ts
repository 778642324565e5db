import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import type { SchoolCommand } from '../../src/domain/school/commands.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold } from '../../src/domain/school/evolve.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { SchoolCredentials } from '../../src/adapters/secrets/credentials.js';
import { onRetiredKey } from '../../src/school/rotate-credentials/rotate-credentials.js';
import { ev, given, LATER, NOW, provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

const OLD = randomBytes(32);
const NEW = randomBytes(32);

describe('credentials keys: HKDF subkeys, key ids, older keys readable while listed', () => {
  const before = new SchoolCredentials([{ id: 'old', key: OLD }]);
  const ring = new SchoolCredentials([
    { id: 'new', key: NEW },
    { id: 'old', key: OLD },
  ]);

  it('derives the password and the encryption from separate subkeys, never from the key itself', () => {
    const password = ring.passwordFor(SCHOOL_ID, { keyId: 'new', generation: 0 });
    const direct = createHmac('sha256', NEW).update(`school-database-password:${SCHOOL_ID}:0`).digest('base64url');
    expect(password).not.toBe(direct);
    // A value sealed with the raw key under the v2 format is refused: the encryption subkey is another key.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', NEW, iv).setAAD(Buffer.from('new'));
    const ct = Buffer.concat([cipher.update(password), cipher.final()]);
    expect(() =>
      ring.decrypt(
        ['v2', 'new', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':'),
      ),
    ).toThrow();
  });

  it('gives each key id and generation its own password, the same one every time', () => {
    const a = ring.passwordFor(SCHOOL_ID, { keyId: 'new', generation: 0 });
    expect(ring.passwordFor(SCHOOL_ID, { keyId: 'new', generation: 0 })).toBe(a);
    expect(ring.passwordFor(SCHOOL_ID, { keyId: 'new', generation: 1 })).not.toBe(a);
    expect(ring.passwordFor(SCHOOL_ID, { keyId: 'old', generation: 0 })).not.toBe(a);
    expect(ring.passwordFor(SCHOOL_ID, { keyId: 'old', generation: 0 })).toBe(
      before.passwordFor(SCHOOL_ID, { keyId: 'old', generation: 0 }),
    );
    expect(() => before.passwordFor(SCHOOL_ID, { keyId: 'new', generation: 0 })).toThrow(/"new" is not listed/);
  });

  it('seals with the active key, names it, and opens what an older listed key sealed', () => {
    const sealed = ring.encrypt('s3cret');
    expect(sealed.startsWith('v2:new:')).toBe(true);
    expect(ring.keyIdOf(sealed)).toBe('new');
    expect(ring.decrypt(sealed)).toBe('s3cret');
    expect(ring.decrypt(before.encrypt('older'))).toBe('older');
    expect(() => before.decrypt(sealed)).toThrow(/"new" is not listed/);
    // The key id is authenticated: relabelling a value does not open it with another key.
    expect(() => ring.decrypt(sealed.replace('v2:new:', 'v2:old:'))).toThrow();
  });

  it('reads the values made before key ids (v1, raw key) while their key is listed as "default"', () => {
    const legacy = new SchoolCredentials([
      { id: 'new', key: NEW },
      { id: 'default', key: OLD },
    ]);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', OLD, iv);
    const ct = Buffer.concat([cipher.update('legacy-password'), cipher.final()]);
    const v1 = ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
    expect(legacy.decrypt(v1)).toBe('legacy-password');
    expect(legacy.keyIdOf(v1)).toBe('legacy');
    expect(() => new SchoolCredentials([{ id: 'new', key: NEW }]).decrypt(v1)).toThrow(/no listed credentials key/);
    const hmac = createHmac('sha256', OLD).update(`school-database-password:${SCHOOL_ID}`).digest('base64url');
    expect(legacy.passwordFor(SCHOOL_ID)).toBe(hmac);
  });
});

describe('configuration: SCS_CREDENTIALS_KEYS and SCS_CREDENTIALS_KEY', () => {
  const load = (env: Record<string, string>) => loadConfig(env, { dataDir: '/tmp/scs-config-test' });
  const hex = (b: Buffer) => b.toString('hex');

  it('reads id:key pairs, the first active; the single key is "default"', () => {
    expect(load({ SCS_CREDENTIALS_KEYS: `k2:${hex(NEW)}, k1:${OLD.toString('base64')}` }).credentialsKeys).toEqual([
      { id: 'k2', key: NEW },
      { id: 'k1', key: OLD },
    ]);
    expect(load({ SCS_CREDENTIALS_KEY: hex(OLD) }).credentialsKeys).toEqual([{ id: 'default', key: OLD }]);
    expect(load({}).credentialsKeys).toEqual([]);
  });

  it('names each bad entry and never echoes a key', () => {
    let problems: string[] = [];
    try {
      load({ SCS_CREDENTIALS_KEYS: `k1:${hex(OLD)},k1:${hex(NEW)},BAD:${hex(NEW)},short:abcd,again:${hex(OLD)}` });
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    const text = problems.join('\n');
    expect(text).toMatch(/"k1" appears twice/);
    expect(text).toMatch(/entries must be id:key/);
    expect(text).toMatch(/key "short" must be 32 bytes/);
    expect(text).toMatch(/"again" is the same key as another id/);
    expect(text).not.toContain(hex(OLD));
    expect(() => load({ SCS_CREDENTIALS_KEY: hex(OLD), SCS_CREDENTIALS_KEYS: `a:${hex(NEW)}` })).toThrow(/not both/);
    expect(() => load({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y', SCS_API_KEY: 'a'.repeat(20) })).toThrow(
      /SCS_CREDENTIALS_KEY/,
    );
  });
});

describe('decide and evolve: credentials rotation', () => {
  const rotation = (keyId: string, generation: number): SchoolCommand => ({
    type: 'RecordCredentialsRotation',
    data: { keyId, generation, startedAt: NOW, finishedAt: LATER, now: LATER },
  });
  const rotated = (keyId: string, previousKeyId: string | null, generation: number): SchoolEvent => ({
    type: 'SchoolCredentialsRotated',
    data: { keyId, previousKeyId, generation, startedAt: NOW, finishedAt: LATER },
  });

  it('records the key id (never a secret) of a live school, once per generation', () => {
    given(...provisionedSchool())
      .when(rotation('new', 1))
      .then([rotated('new', null, 1)]);
    given(...provisionedSchool(), rotated('new', null, 1))
      .when(rotation('new', 1))
      .then([]);
    given(...provisionedSchool(), rotated('new', null, 1))
      .when(rotation('newer', 2))
      .then([rotated('newer', 'new', 2)]);
  });

  it('leaves a school that is not live alone', () => {
    given(ev.requested(), ev.slug()).when(rotation('new', 1)).then([]);
    const teardown: SchoolEvent = { type: 'TeardownRequested', data: { requestedAt: LATER, statusBefore: 'active' } };
    given(...provisionedSchool(), teardown)
      .when(rotation('new', 1))
      .then([]);
  });

  it('knows which key a school is on: run_migrations records it, a rotation moves it', () => {
    const events = provisionedSchool().map((e) =>
      e.type === 'MigrationsApplied' ? { ...e, data: { ...e.data, credentialsKeyId: 'old' } } : e,
    );
    const onOld = fold(events)!;
    expect(onOld.credentials).toEqual({ keyId: 'old', generation: 0 });
    expect(onRetiredKey(onOld, 'new')).toBe(true);
    expect(onRetiredKey(onOld, 'old')).toBe(false);
    const moved = fold([...events, rotated('new', 'old', 1)])!;
    expect(moved.credentials).toEqual({ keyId: 'new', generation: 1 });
    expect(onRetiredKey(moved, 'new')).toBe(false);
    expect(onRetiredKey(fold(provisionedSchool())!, 'default')).toBe(true); // made before key ids
  });
});
