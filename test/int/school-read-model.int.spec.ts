import { schoolStreamId, type SchoolEvent } from '../../src/domain/school/events.js';
import { ProjectionRunner } from '../../src/projections/projection-runner.js';
import { rebuildProjections } from '../../src/projections/rebuild.js';
import { PROJECTIONS } from '../../src/projections/registry.js';
import { schoolReadModel } from '../../src/school/view/school-projection.js';
import { SchoolQueries } from '../../src/school/view/school-queries.js';
import { SCHOOL_VIEW_VERSION } from '../../src/school/view/school-view.js';
import { useCentralFixture } from '../support/central-fixture.js';
import { testMetadata, until } from '../support/event-store-fixtures.js';
import { details, provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

/** The read model's rows carry the version of their document's shape; another version is never misread. */
describe('school read model: document versions', () => {
  const central = useCentralFixture('scs_read_model');

  beforeAll(async () => {
    const events: SchoolEvent[] = provisionedSchool();
    const stored = events.map((e) => ({
      type: e.type,
      data: e.data as Record<string, unknown>,
      metadata: testMetadata,
    }));
    await central.store.append(schoolStreamId(SCHOOL_ID), stored, 'no_stream');
    // A row as an older process wrote it: another shape (the domain's state), version 1 by default.
    await central.pool.query(
      `INSERT INTO school_read_model (id, slug, name, district, board, admin_email, phone, database_name, subdomain,
         status,
         created_at, updated_at, revision, document)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'db', 'sub', 'provisioning', now(), now(), 3, $8)`,
      [
        SCHOOL_ID,
        details.slug,
        details.name,
        details.district,
        details.board,
        details.adminEmail,
        details.phone,
        JSON.stringify({
          id: SCHOOL_ID,
          details,
          status: 'provisioning',
          steps: { reserve_slug: { status: 'succeeded' } },
        }),
      ],
    );
  });

  it("answers a row of another version from the school's events; the projection rebuilds on start", async () => {
    const queries = new SchoolQueries(central.pool, central.store);
    const fromEvents = await queries.get(SCHOOL_ID);
    expect(fromEvents).toMatchObject({
      id: SCHOOL_ID,
      status: 'active',
      revision: 9,
      certificate: { serialNumber: 'ab12' },
    });
    expect(fromEvents!.steps.map((s) => s.status)).toEqual(Array(8).fill('succeeded'));
    expect((await queries.list({ limit: 10, offset: 0 })).items).toEqual([fromEvents]);

    const projection = new ProjectionRunner([schoolReadModel], central.store, central.readSide, central.logger);
    await projection.start();
    try {
      const rows = await until(
        () =>
          central.pool
            .query('SELECT document_version, status, revision, document FROM school_read_model')
            .then((r) => r.rows),
        // At revision 9: a transaction held open elsewhere on the server (another suite's CREATE DATABASE)
        // can hide the events from the rebuild, and the live projection then folds them one by one.
        (r) => r[0]?.document_version === SCHOOL_VIEW_VERSION && r[0]?.revision === 9,
      );
      expect(rows).toEqual([
        { document_version: SCHOOL_VIEW_VERSION, status: 'active', revision: 9, document: expect.any(Object) },
      ]);
      expect(central.logs.some((m) => /rows of another document version; rebuilding/.test(m))).toBe(true);
      expect(await queries.get(SCHOOL_ID)).toEqual(fromEvents);
      expect(await queries.list({ status: 'active', limit: 10, offset: 0 })).toEqual({
        items: [fromEvents],
        total: 1,
        limit: 10,
        offset: 0,
        next: null,
      });

      // The live projection carries on from the rebuilt table.
      const teardown = {
        type: 'TeardownRequested',
        data: { requestedAt: testMetadata.now, statusBefore: 'active' },
        metadata: testMetadata,
      };
      await central.store.append(schoolStreamId(SCHOOL_ID), [teardown], 9);
      await until(
        () => queries.get(SCHOOL_ID),
        (view) => view?.status === 'deprovisioning',
      );
      // An answer kept for the school's earlier revision is not given for the new one.
      expect((await queries.list({ limit: 10, offset: 0 })).items.map((v) => [v.status, v.revision])).toEqual([
        ['deprovisioning', 10],
      ]);
      expect((await queries.list({ status: 'active', limit: 10, offset: 0 })).total).toBe(0);

      // A row an older process wrote meanwhile is folded again from the stream, not misread.
      await central.pool.query(`UPDATE school_read_model SET document_version = '1', document = '{"old": true}'`);
      const orphan = { resource: 'dns', name: 'x', detail: 'test', removedAt: testMetadata.now };
      await central.store.append(
        schoolStreamId(SCHOOL_ID),
        [{ type: 'OrphanRemoved', data: orphan, metadata: testMetadata }],
        10,
      );
      const refolded = await until(
        () => central.pool.query('SELECT document_version, document FROM school_read_model').then((r) => r.rows[0]),
        (row) => row.document_version === SCHOOL_VIEW_VERSION,
      );
      expect(refolded.document).toMatchObject({
        status: 'deprovisioning',
        revision: 11,
        certificate: { serialNumber: 'ab12' },
      });
    } finally {
      await projection.stop();
    }
  });
  it('a rebuild swaps in tables with the same keys and indexes, under the same names', async () => {
    const tables = PROJECTIONS.flatMap((p) => p.tables);
    const shape = () =>
      central.pool
        .query(
          `SELECT c.relname AS table, i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition,
                  coalesce((SELECT contype::text FROM pg_constraint WHERE conindid = x.indexrelid), '') AS constraint
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
            WHERE c.relname = ANY($1) ORDER BY 1, 2`,
          [tables],
        )
        .then((r) => r.rows);
    const before = await shape();
    expect(before.filter((row) => row.table === 'school_read_model').map((row) => row.name)).toEqual(
      expect.arrayContaining(['school_read_model_pkey', 'school_read_model_status_idx']),
    );
    const rows = () =>
      central.pool.query('SELECT id, revision, document FROM school_read_model ORDER BY id').then((r) => r.rows);
    const live = await rows();
    for (let run = 0; run < 2; run++) {
      await rebuildProjections(PROJECTIONS, central.store, central.readSide);
      expect(await shape()).toEqual(before);
      expect(await rows()).toEqual(live);
    }
    // The shadow tables and their temporary indexes are gone.
    const left = await central.pool.query(`SELECT relname FROM pg_class WHERE relname LIKE '%\\_rebuild%'`);
    expect(left.rows).toEqual([]);
  });
});
