import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { schoolReadModel } from '../../src/school/view/school-projection.js';
import { decodeCursor, encodeCursor, type ListCursor } from '../../src/school/view/list-cursor.js';
import { SchoolQueries } from '../../src/school/view/school-queries.js';
import { useCentralFixture } from '../support/central-fixture.js';
import { appendSchool } from '../support/event-store-fixtures.js';

/** The read model's queries against PostgreSQL: reads that arrive together share their queries. */
describe('SchoolQueries', () => {
  const central = useCentralFixture('scs_queries');
  const ids = [randomUUID(), randomUUID(), randomUUID()];

  beforeAll(async () => {
    for (const [n, id] of ids.entries()) await appendSchool(central.store, id, { slug: `queries-${n}` });
    await rebuildProjection(schoolReadModel, central.store, central.readSide);
  });

  /** SchoolQueries on the fixture's pool, counting the statements it sends. */
  function counted(): { queries: SchoolQueries; sent: string[] } {
    const sent: string[] = [];
    const pool = {
      query: (config: pg.QueryConfig) => {
        sent.push(config.text);
        return central.pool.query(config);
      },
    } as unknown as Pick<pg.Pool, 'query'>;
    return { queries: new SchoolQueries(pool, central.store), sent };
  }

  /** SchoolQueries on the fixture's pool, keeping each statement it sends with its values. */
  function recorded(): { queries: SchoolQueries; sent: pg.QueryConfig[] } {
    const sent: pg.QueryConfig[] = [];
    const pool = {
      query: (config: pg.QueryConfig) => {
        sent.push(config);
        return central.pool.query(config);
      },
    } as unknown as Pick<pg.Pool, 'query'>;
    return { queries: new SchoolQueries(pool, central.store), sent };
  }

  /**
   * The plan of a statement with sequential scans off: with three rows the planner rightly reads the
   * table; the question is whether it can use the indexes.
   */
  async function planOf(config: pg.QueryConfig): Promise<string> {
    const client = await central.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query(`EXPLAIN ${config.text}`, config.values);
      await client.query('ROLLBACK');
      return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    } finally {
      client.release();
    }
  }

  it('answers single-school reads that arrive together with one query, each with its own school', async () => {
    const { queries, sent } = counted();
    const missing = randomUUID();
    const answers = await Promise.all([...ids, missing, ids[0], 'not-a-uuid'].map((id) => queries.get(id)));
    expect(answers.map((a) => a?.id)).toEqual([...ids, undefined, ids[0], undefined]);
    expect(answers.slice(0, 3).map((a) => a?.slug)).toEqual(['queries-0', 'queries-1', 'queries-2']);
    expect(sent.filter((text) => /FROM unnest/.test(text))).toHaveLength(1);

    // A read arriving after that query was sent waits for a query of its own: it sees a change made since.
    await central.pool.query(`UPDATE school_read_model SET revision = revision + 100 WHERE id = $1`, [ids[1]]);
    const again = await queries.getJson(ids[1]);
    expect(sent.filter((text) => /FROM unnest/.test(text))).toHaveLength(2);
    expect(JSON.parse(again!).id).toBe(ids[1]);
  });

  it('answers identical list requests that arrive together with one read, and different ones apart', async () => {
    const { queries, sent } = counted();
    const page = { limit: 2, offset: 0 };
    const [a, b, c, other] = await Promise.all([
      queries.listJson(page),
      queries.listJson({ ...page }),
      queries.listJson(page),
      queries.listJson({ ...page, offset: 2 }),
    ]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(JSON.parse(a)).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(JSON.parse(a).items).toHaveLength(2);
    expect(JSON.parse(other)).toMatchObject({ total: 3, offset: 2, items: [expect.any(Object)] });
    // Two reads of each distinct page: its keys, then its documents (none of its answers were kept yet).
    expect(sent.filter((text) => /school_read_model/.test(text))).toHaveLength(4);

    const later = await queries.listJson(page); // kept answers now: one read of the keys
    expect(later).toBe(a);
    expect(sent.filter((text) => /school_read_model/.test(text))).toHaveLength(5);
  });

  it('finds schools by their exact slug, and by a prefix of their name (any case) or slug, wildcards taken literally', async () => {
    const { queries } = counted();
    const found = async (filters: { slug?: string; q?: string; status?: string }) =>
      (await queries.list({ ...filters, limit: 50, offset: 0 })).items.map((s) => s.id).sort();
    const all = [...ids].sort();
    expect(await found({ slug: 'queries-1' })).toEqual([ids[1]]);
    expect(await found({ slug: 'queries' })).toEqual([]);
    expect(await found({ q: 'GREENWOOD h' })).toEqual(all);
    expect(await found({ q: 'queries-2' })).toEqual([ids[2]]);
    expect(await found({ q: 'Queries', status: 'active' })).toEqual(all);
    expect(await found({ q: 'High' })).toEqual([]); // a prefix, not any part
    // LIKE's wildcards are characters like any other: `_` would match the hyphen, `%` everything.
    expect(await found({ q: 'queries_' })).toEqual([]);
    expect(await found({ q: '%' })).toEqual([]);
    expect((await queries.list({ q: 'queries', limit: 1, offset: 1 })).total).toBe(3);
  });

  it('pages by cursor: each page starts after the last one, the same schools as by offset, and seeks the index', async () => {
    const { queries, sent } = recorded();
    const byOffset = (await queries.list({ limit: 50, offset: 0 })).items.map((s) => s.id);
    const seen: string[] = [];
    let after: ListCursor | undefined;
    for (let pages = 0; pages < 5; pages++) {
      const page = await queries.list({ limit: 2, offset: 0, ...(after ? { after } : {}) });
      expect(page.total).toBe(3); // the filter's schools, wherever the page starts
      seen.push(...page.items.map((s) => s.id));
      if (page.next === null) break;
      after = decodeCursor(page.next);
      expect(after).toBeDefined();
    }
    expect(seen).toEqual(byOffset);
    expect(seen).toHaveLength(3);
    expect(await planOf(sent[sent.length - 1])).toMatch(/Index Cond: \(ROW\(created_at, id\) > ROW\(/);
  });

  it('refuses a cursor it did not give', () => {
    const id = ids[0];
    const good = encodeCursor({ createdAt: '2026-12-07 11:50:00.123456+00', id });
    expect(decodeCursor(good)).toEqual({ createdAt: '2026-12-07 11:50:00.123456+00', id });
    for (const text of ['', 'zzz', Buffer.from(`yesterday|${id}`).toString('base64url'), `${good}=`])
      expect(decodeCursor(text)).toBeUndefined();
    expect(decodeCursor(Buffer.from('2026-12-07 11:50:00+00|not-an-id').toString('base64url'))).toBeUndefined();
  });

  it('plans a search by q or slug on the prefix indexes of central migration 0031', async () => {
    const { queries, sent } = recorded();
    const plan = async (filters: { slug?: string; q?: string }) => {
      sent.length = 0;
      await queries.listJson({ ...filters, limit: 50, offset: 0 });
      return planOf(sent[0]);
    };
    const byQ = await plan({ q: 'Green' });
    expect(byQ).toContain('school_read_model_name_prefix_idx');
    expect(byQ).toContain('school_read_model_slug_prefix_idx');
    expect(byQ).not.toMatch(/Seq Scan on school_read_model/);
    expect(sent[0].name).toBeUndefined(); // planned with its value each time
    expect(await plan({ slug: 'queries-1' })).toContain('school_read_model_slug_prefix_idx');
  });

  it("keeps each answer's digest with it: the same while the row's revision is, another when the document changes", async () => {
    const { queries } = counted();
    const sha1 = (text: string) => createHash('sha1').update(text).digest('base64url');
    const first = await queries.getAnswer(ids[2]);
    expect(first!.digest).toBe(sha1(first!.json));
    const again = await queries.getAnswer(ids[2]);
    expect(again).toEqual(first);

    await central.pool.query(
      `UPDATE school_read_model SET revision = revision + 1,
         document = jsonb_set(document, '{name}', '"Renamed School"') WHERE id = $1`,
      [ids[2]],
    );
    const changed = await queries.getAnswer(ids[2]);
    expect(JSON.parse(changed!.json).name).toBe('Renamed School');
    expect(changed!.digest).toBe(sha1(changed!.json));
    expect(changed!.digest).not.toBe(first!.digest);
    // A school the read model has no row for yet is folded from its stream: no kept answer, no digest.
    expect(await queries.getAnswer(randomUUID())).toBeUndefined();
  });
});
