import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ArchiveIntegrityError } from '../../../ports/database-archives.port.js';

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Refuses an archive whose bytes are not the ones the teardown recorded, before anything is loaded. */
export async function verifyArchive(file: string, expected: string, location = file): Promise<void> {
  const actual = await sha256Of(file);
  if (actual !== expected.toLowerCase()) throw new ArchiveIntegrityError(location, expected, actual);
}
