import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type {
  ArchiveRequest,
  DatabaseArchive,
  DatabaseArchives,
  LoadedArchive,
  LoadRequest,
} from '../../../ports/database-archives.port.js';
import { StepError } from '../../../ports/step-error.js';

/**
 * Final archives in S3: each is made in a local folder first (by the folder adapter), uploaded with
 * server-side encryption and its SHA-256 as metadata, and the local copy removed. Retention deletes
 * objects older than the retention under the prefix (an S3 lifecycle rule can do the same).
 */
export class S3DatabaseArchives implements DatabaseArchives {
  constructor(
    private readonly options: {
      client: S3Client;
      bucket: string;
      prefix: string;
      staging: DatabaseArchives;
      retentionDays: number;
    },
  ) {}

  private key(schoolId: string, file: string): string {
    return [this.options.prefix.replace(/\/+$/, ''), schoolId, file].filter(Boolean).join('/');
  }

  async archive(request: ArchiveRequest): Promise<DatabaseArchive> {
    const local = await this.options.staging.archive(request);
    const key = this.key(request.schoolId, basename(local.location));
    const body = createReadStream(local.location);
    body.on('error', () => undefined); // a failed upload reports itself; the stream must not crash us
    await this.options.client
      .send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: body,
          ContentLength: statSync(local.location).size,
          ContentType: local.format === 'pg_dump-custom' ? 'application/octet-stream' : 'application/gzip',
          ServerSideEncryption: 'AES256',
          Metadata: {
            'scs-school-id': request.schoolId,
            'scs-database': request.databaseName,
            'scs-format': local.format,
            'scs-sha256': local.sha256,
          },
        }),
      )
      .finally(() => body.destroy());
    rmSync(local.location, { force: true });
    return { ...local, location: `s3://${this.options.bucket}/${key}` };
  }

  /** Bucket and key of an `s3://bucket/key` location of this bucket. */
  private objectOf(location: string): { Bucket: string; Key: string } {
    const prefix = `s3://${this.options.bucket}/`;
    if (!location.startsWith(prefix)) throw StepError.permanent(`archive ${location} is not in ${prefix}`);
    return { Bucket: this.options.bucket, Key: location.slice(prefix.length) };
  }

  async exists(location: string): Promise<boolean> {
    try {
      await this.options.client.send(new HeadObjectCommand(this.objectOf(location)));
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (error as Error).name === 'NotFound') return false;
      throw error;
    }
  }

  /** Downloaded to a local folder, then loaded from there by the folder adapter (which checks its SHA-256). */
  async load(request: LoadRequest): Promise<LoadedArchive> {
    const folder = mkdtempSync(join(tmpdir(), 'scs-restore-'));
    try {
      const file = join(folder, basename(request.archive.location));
      const object = await this.options.client.send(new GetObjectCommand(this.objectOf(request.archive.location)));
      if (!object.Body) throw StepError.permanent(`archive ${request.archive.location} has no body`);
      await pipeline(object.Body as Readable, createWriteStream(file, { mode: 0o600 }));
      return await this.options.staging.load({ ...request, archive: { ...request.archive, location: file } });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  async purgeExpired(now: Date): Promise<number> {
    const limit = now.getTime() - this.options.retentionDays * 24 * 3600 * 1000;
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await this.options.client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.options.prefix || undefined,
          ContinuationToken: token,
        }),
      );
      const expired = (page.Contents ?? [])
        .filter((o) => o.Key && o.LastModified && o.LastModified.getTime() < limit)
        .map((o) => ({ Key: o.Key! }));
      if (expired.length > 0) {
        await this.options.client.send(
          new DeleteObjectsCommand({ Bucket: this.options.bucket, Delete: { Objects: expired, Quiet: true } }),
        );
        removed += expired.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed;
  }
}
