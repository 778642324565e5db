import { Readable } from 'node:stream';
import { mkdtempSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { DatabaseArchive, DatabaseArchives } from '../../src/ports/database-archives.port.js';
import { S3DatabaseArchives } from '../../src/adapters/archives/s3/s3-archives.js';

const SCHOOL = '7d2f3a64-9a41-4c2e-9a57-5a0c1b2d3e4f';
const DB = 'school_7d2f3a649a414c2e9a575a0c1b2d3e4f';

describe('S3DatabaseArchives at the SDK boundary', () => {
  const s3 = mockClient(S3Client);
  let file: string;
  const staging: DatabaseArchives = {
    archive: async (): Promise<DatabaseArchive> => {
      file = join(mkdtempSync(join(tmpdir(), 'scs-s3-')), `${DB}-2026.jsonl.gz`);
      writeFileSync(file, 'archived');
      return { location: file, format: 'scs-jsonl-v1', bytes: 8, sha256: 'f'.repeat(64), rows: 3 };
    },
    purgeExpired: async () => 0,
    exists: async () => true,
    load: async (request) => {
      loadedFrom = readFileSync(request.archive.location, 'utf8');
      return { schemaVersion: '0004', tables: 1, rows: 3, sequences: 0 };
    },
  };
  let loadedFrom: string | undefined;
  const archives = () =>
    new S3DatabaseArchives({
      client: new S3Client({ region: 'ap-south-1' }),
      bucket: 'scs-archives',
      prefix: 'prod/',
      staging,
      retentionDays: 30,
    });

  beforeEach(() => s3.reset());

  it('uploads the archive encrypted, with its checksum, and removes the local copy', async () => {
    s3.on(PutObjectCommand).resolves({});
    const archive = await archives().archive({ schoolId: SCHOOL, databaseName: DB });
    expect(archive).toEqual({
      location: `s3://scs-archives/prod/${SCHOOL}/${DB}-2026.jsonl.gz`,
      format: 'scs-jsonl-v1',
      bytes: 8,
      sha256: 'f'.repeat(64),
      rows: 3,
    });
    const input = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect({ ...input, Body: undefined }).toEqual({
      Bucket: 'scs-archives',
      Key: `prod/${SCHOOL}/${DB}-2026.jsonl.gz`,
      Body: undefined,
      ContentLength: 8,
      ContentType: 'application/gzip',
      ServerSideEncryption: 'AES256',
      Metadata: {
        'scs-school-id': SCHOOL,
        'scs-database': DB,
        'scs-format': 'scs-jsonl-v1',
        'scs-sha256': 'f'.repeat(64),
      },
    });
    expect(existsSync(file)).toBe(false);
  });

  it('keeps the local copy when the upload fails', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await expect(archives().archive({ schoolId: SCHOOL, databaseName: DB })).rejects.toThrow('Access Denied');
    expect(existsSync(file)).toBe(true);
  });

  it('deletes objects past the retention, page by page', async () => {
    const now = new Date('2026-11-24T00:00:00Z');
    const old = new Date('2026-09-01T00:00:00Z');
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined })
      .resolves({
        Contents: [
          { Key: 'prod/a/1', LastModified: old },
          { Key: 'prod/a/2', LastModified: now },
        ],
        IsTruncated: true,
        NextContinuationToken: 't2',
      })
      .on(ListObjectsV2Command, { ContinuationToken: 't2' })
      .resolves({ Contents: [{ Key: 'prod/b/1', LastModified: old }], IsTruncated: false });
    s3.on(DeleteObjectsCommand).resolves({});
    expect(await archives().purgeExpired(now)).toBe(2);
    expect(s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects)).toEqual([
      [{ Key: 'prod/a/1' }],
      [{ Key: 'prod/b/1' }],
    ]);
  });

  it('downloads an archive to load it through the folder adapter, then removes the download', async () => {
    const location = `s3://scs-archives/prod/${SCHOOL}/${DB}-2026.jsonl.gz`;
    s3.on(GetObjectCommand, { Bucket: 'scs-archives', Key: `prod/${SCHOOL}/${DB}-2026.jsonl.gz` }).resolves({
      Body: Readable.from([Buffer.from('the archived bytes')]) as never,
    });
    const migrateTo = async () => undefined;
    const archive = { location, format: 'scs-jsonl-v1', sha256: 'a'.repeat(64) };
    const loaded = await archives().load({ archive, databaseName: DB, server: 'central', migrateTo });
    expect(loaded).toEqual({ schemaVersion: '0004', tables: 1, rows: 3, sequences: 0 });
    expect(loadedFrom).toBe('the archived bytes');
  });

  it('says whether an archive is still in the bucket; another bucket is refused', async () => {
    s3.on(HeadObjectCommand, { Key: 'prod/a/1' }).resolves({});
    s3.on(HeadObjectCommand, { Key: 'prod/a/2' }).rejects(
      Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }),
    );
    expect(await archives().exists('s3://scs-archives/prod/a/1')).toBe(true);
    expect(await archives().exists('s3://scs-archives/prod/a/2')).toBe(false);
    await expect(archives().exists('s3://elsewhere/prod/a/1')).rejects.toThrow('is not in s3://scs-archives/');
  });
});
