import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  CredentialsDelivered,
  DeliveredCredentials,
  CredentialsDelivery,
  CredentialsWithdrawn,
  SchoolConnection,
  SchoolToDeliver,
} from '../../../ports/credentials-delivery.port.js';

/**
 * The first line of each file SCS writes: the instance and the school it is for, as a comment that dotenv
 * and a shell skip. The reconciler finds a file's school by it; a file without it is not SCS's.
 */
function ownerLineOf(owner: string, schoolId: string): string {
  return `# scs-owner=${owner} scs-school=${schoolId}\n`;
}
const OWNER_LINE = /^# scs-owner=(\S*) scs-school=(\S+)$/;
const ENV_FILE = /^(.+)\.env$/;

/** The env file a school app (or its sidecar) reads: libpq's variables and one URL. */
export function envFileOf(connection: SchoolConnection): string {
  const { host, port, database, role, password } = connection;
  const url = `postgres://${encodeURIComponent(role)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
  const lines = {
    PGHOST: host,
    PGPORT: String(port),
    PGDATABASE: database,
    PGUSER: role,
    PGPASSWORD: password,
    DATABASE_URL: url,
  };
  // Single-quoted: the derived passwords and names hold no quote, and a shell or dotenv reads them as they are.
  return Object.entries(lines)
    .map(([name, value]) => `${name}='${value.replaceAll("'", "'\\''")}'\n`)
    .join('');
}

/**
 * SCS_CREDENTIALS_DELIVERY=files: `<SCS_CREDENTIALS_DIR>/<slug>.env`, mode 0600, for a sidecar or a mounted
 * volume, marked with SCS_OWNER_ID and the school on its first line. Written under a temporary name and
 * renamed into place, so a reader sees the old file or the new one, never a part; the folder is made 0700
 * if missing.
 */
export class FileCredentialsDelivery implements CredentialsDelivery {
  readonly name = 'files';
  constructor(
    private readonly dir: string,
    private readonly owner: string,
  ) {}

  fileOf(school: SchoolToDeliver): string {
    return join(this.dir, `${school.slug || school.id}.env`);
  }

  async deliver(school: SchoolToDeliver, connection: SchoolConnection): Promise<CredentialsDelivered> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(school);
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(ownerLineOf(this.owner, school.id) + envFileOf(connection));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { location: file };
  }

  async withdraw(school: SchoolToDeliver): Promise<CredentialsWithdrawn> {
    const file = this.fileOf(school);
    const existed = await readFile(file).then(
      () => true,
      () => false,
    );
    await rm(file, { force: true });
    return { location: file, existed };
  }

  /** Every `.env` file in the folder (temporary ones left by a crash are not deliveries), with its mark. */
  async listDelivered(): Promise<DeliveredCredentials[]> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const found: DeliveredCredentials[] = [];
    for (const name of names.sort()) {
      const slug = ENV_FILE.exec(name)?.[1];
      if (!slug) continue;
      const location = join(this.dir, name);
      const text = await readFile(location, 'utf8').catch(() => undefined);
      if (text === undefined) continue; // removed since the listing
      const mark = OWNER_LINE.exec(text.slice(0, text.indexOf('\n')));
      found.push(mark ? { location, owner: mark[1], school: { id: mark[2], slug } } : { location });
    }
    return found;
  }
}
