import { createReadStream, rmSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type {
  ArchiveRequest,
  DatabaseArchive,
  DatabaseArchives,
} from '../../../application/ports/database-archives.port.js';

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
