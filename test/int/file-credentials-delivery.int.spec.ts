import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  envFileOf,
  FileCredentialsDelivery,
} from '../../src/adapters/credentials-delivery/files/file-credentials-delivery.js';

const connection = {
  schoolId: 'id-1',
  server: 'apps',
  host: 'db.internal',
  port: 6432,
  database: 'school_greenwood',
  role: 'school_greenwood_owner',
  password: 'p@ss/word:1',
};

/** Parses the env file as a dotenv reader or a shell would (single-quoted values, `#` comment lines). */
function parse(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .map((line) => /^([A-Z_]+)='(.*)'$/.exec(line)!.slice(1, 3)),
  );
}

describe('SCS_CREDENTIALS_DELIVERY=files: a 0600 env file per school in a real folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'scs-creds-files-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes <dir>/<slug>.env with the connection, 0600, replaced whole on re-delivery, removed on withdraw', async () => {
    const dir = join(root, 'made-by-scs');
    const delivery = new FileCredentialsDelivery(dir, 'scs-test');
    const school = { id: 'id-1', slug: 'greenwood' };
    const first = await delivery.deliver(school, connection);
    const file = join(dir, 'greenwood.env');
    expect(first).toEqual({ location: file });
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('# scs-owner=scs-test scs-school=id-1');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(parse(readFileSync(file, 'utf8'))).toEqual({
      PGHOST: 'db.internal',
      PGPORT: '6432',
      PGDATABASE: 'school_greenwood',
      PGUSER: 'school_greenwood_owner',
      PGPASSWORD: 'p@ss/word:1',
      DATABASE_URL: 'postgres://school_greenwood_owner:p%40ss%2Fword%3A1@db.internal:6432/school_greenwood',
    });
    // The URL's escaping gives back the password.
    const url = new URL(parse(readFileSync(file, 'utf8')).DATABASE_URL);
    expect(decodeURIComponent(url.password)).toBe(connection.password);

    await delivery.deliver(school, { ...connection, password: 'new-one' });
    expect(parse(readFileSync(file, 'utf8')).PGPASSWORD).toBe('new-one');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['greenwood.env']); // no temporary file left behind

    expect(await delivery.withdraw(school)).toEqual({ location: file, existed: true });
    expect(readdirSync(dir)).toEqual([]);
    expect(await delivery.withdraw(school)).toEqual({ location: file, existed: false });
  });

  it('quotes a value with a quote in it the way a shell reads it back', () => {
    expect(envFileOf({ ...connection, password: "it's" })).toContain("PGPASSWORD='it'\\''s'\n");
  });
  it('lists the .env files with the school and owner their first line marks; unmarked ones have none', async () => {
    const dir = join(root, 'listed');
    const delivery = new FileCredentialsDelivery(dir, 'scs-test');
    expect(await delivery.listDelivered()).toEqual([]); // no folder yet
    await delivery.deliver({ id: 'id-1', slug: 'greenwood' }, connection);
    await new FileCredentialsDelivery(dir, 'other-scs').deliver({ id: 'id-2', slug: 'oakridge' }, connection);
    writeFileSync(join(dir, 'by-hand.env'), "PGHOST='x'\n");
    writeFileSync(join(dir, 'greenwood.env.0a1b2c.tmp'), 'left by a crash');
    expect(await delivery.listDelivered()).toEqual([
      { location: join(dir, 'by-hand.env') },
      { location: join(dir, 'greenwood.env'), owner: 'scs-test', school: { id: 'id-1', slug: 'greenwood' } },
      { location: join(dir, 'oakridge.env'), owner: 'other-scs', school: { id: 'id-2', slug: 'oakridge' } },
    ]);
  });
});
