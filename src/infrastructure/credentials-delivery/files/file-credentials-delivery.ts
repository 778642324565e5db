import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  CredentialsDelivered,
  CredentialsDelivery,
  CredentialsWithdrawn,
  SchoolConnection,
  SchoolToDeliver,
} from '../../../application/ports/credentials-delivery.port.js';

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
 * volume. Written under a temporary name and renamed into place, so a reader sees the old file or the new
 * one, never a part; the folder is made 0700 if missing.
 */
export class FileCredentialsDelivery implements CredentialsDelivery {
  readonly name = 'files';
  constructor(private readonly dir: string) {}

  fileOf(school: SchoolToDeliver): string {
    return join(this.dir, `${school.slug || school.id}.env`);
  }

  async deliver(school: SchoolToDeliver, connection: SchoolConnection): Promise<CredentialsDelivered> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(school);
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(envFileOf(connection));
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
}
