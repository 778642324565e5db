import pg from 'pg';
import { SchoolCredentials } from '../../src/adapters/secrets/credentials.js';
import { freshDatabase, query, urlForDatabase } from '../support/databases.js';
import { schoolBody, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const KEY = 'a1'.repeat(32);

describe('isolation: each school database has its own owner role', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let a: any;
  let b: any;
  const credentials = new SchoolCredentials([{ id: 'default', key: Buffer.from(KEY, 'hex') }]);

  beforeAll(async () => {
    central = await freshDatabase('scs_iso');
    scs = await startScs({ databaseUrl: central.url, env: { SCS_CREDENTIALS_KEY: KEY } });
    const [ra, rb] = await Promise.all([
      scs.request('/school', { method: 'POST', json: schoolBody() }),
      scs.request('/school', { method: 'POST', json: schoolBody() }),
    ]);
    a = await waitForStatus(scs, ra.body.id, ['active']);
    b = await waitForStatus(scs, rb.body.id, ['active']);
  });
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  const connectAs = async (role: string, password: string, database: string) => {
    const url = new URL(urlForDatabase(database));
    url.username = role;
    url.password = password;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    return client;
  };

  it('keeps the role and its password, encrypted, in the registry', async () => {
    const [row] = await query(
      central.url,
      'SELECT database_role, database_password_encrypted FROM school_registry WHERE school_id = $1',
      [a.id],
    );
    expect(row.database_role).toBe(`${a.databaseName}_owner`);
    const password = credentials.decrypt(row.database_password_encrypted);
    expect(password).toBe(credentials.passwordFor(a.id, { keyId: 'default', generation: 0 }));
    expect(row.database_password_encrypted).not.toContain(password);
  });

  it("lets school A's role use its own database and refuses it school B's", async () => {
    const [row] = await query(
      central.url,
      'SELECT database_role, database_password_encrypted FROM school_registry WHERE school_id = $1',
      [a.id],
    );
    const password = credentials.decrypt(row.database_password_encrypted);
    const own = await connectAs(row.database_role, password, a.databaseName);
    try {
      await own.query(`INSERT INTO rooms (code, capacity) VALUES ('A-101', 40)`);
      expect((await own.query('SELECT count(*)::int AS n FROM rooms')).rows[0].n).toBe(1);
    } finally {
      await own.end();
    }
    await expect(connectAs(row.database_role, password, b.databaseName)).rejects.toThrow(
      /permission denied for database/,
    );
    const [acl] = await query(
      urlForDatabase('postgres'),
      `SELECT datacl::text AS acl FROM pg_database WHERE datname = $1`,
      [b.databaseName],
    );
    expect(acl.acl).not.toMatch(/(^|[{,])=[a-zA-Z]*c/); // no CONNECT for PUBLIC
  });

  it("refuses a school's role the central database and the template: no CONNECT, no TEMPORARY", async () => {
    const [row] = await query(
      central.url,
      'SELECT database_role, database_password_encrypted FROM school_registry WHERE school_id = $1',
      [a.id],
    );
    const password = credentials.decrypt(row.database_password_encrypted);
    const centralName = decodeURIComponent(new URL(central.url).pathname.slice(1));
    for (const database of [centralName, 'scs_school_drizzle_template']) {
      const refused = await connectAs(row.database_role, password, database).then(
        async (client) => {
          await client.end();
          return `connected to ${database}`;
        },
        (error: Error) => error.message,
      );
      expect(refused).toMatch(/permission denied for database/);
      const [may] = await query(
        urlForDatabase('postgres'),
        `SELECT has_database_privilege($1, $2, 'CONNECT') AS connect, has_database_privilege($1, $2, 'TEMPORARY') AS temp`,
        [row.database_role, database],
      );
      expect({ database, ...may }).toEqual({ database, connect: false, temp: false });
    }
  });

  it('drops the role with the database', async () => {
    await scs.request(`/school/${b.id}`, { method: 'DELETE' });
    await waitForStatus(scs, b.id, ['deleted']);
    expect(
      await query(urlForDatabase('postgres'), 'SELECT 1 FROM pg_roles WHERE rolname = $1', [`${b.databaseName}_owner`]),
    ).toHaveLength(0);
  });
});
