import DataLoader from 'dataloader';
import type pg from 'pg';
import type { EventStore } from '../../ports/event-store.port.js';
import { toFoldable } from '../school-stream.js';
import { isSchoolId, schoolStreamId } from '../../domain/school/events.js';
import { foldView } from './evolve-view.js';
import { answerOf, KeptAnswers, type RowKey, type SchoolAnswer } from './kept-answers.js';
import { encodeCursor } from './list-cursor.js';
import { listStatement, type SchoolFilters } from './list-statement.js';
import { presentSchool, SCHOOL_VIEW_VERSION, type SchoolView } from './school-view.js';

interface Row extends RowKey {
  /** `created_at` as text, on list rows only (a page's cursor). */
  created?: string;
  /**
   * The stored document as JSON text, parsed only when its answer is not kept yet; null (or absent from
   * a page read without documents) when the answer kept for the row is current.
   */
  document?: string | null;
}

/** Reads of single schools gathered into one query: at most this many ids in it. */
const READS_PER_QUERY = 100;
const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * The read model's queries. The HTTP routes take their answers as JSON text (`getJson`, `listJson`): a
 * row's answer is `JSON.stringify(presentSchool(document))`, a pure function of the row, so it is kept
 * per school, revision and document version, and a row already answered is not parsed, reordered and
 * serialised again (most of the CPU time of GET /schools was that, for 50 documents per request).
 */
export class SchoolQueries {
  /** Per school: the answer for its row at one revision and document version. */
  private readonly answers = new KeptAnswers();
  /**
   * The rows of the single-school reads that arrived together (in one turn of the event loop: the batch
   * goes out in setImmediate, after every request the loop had ready), read in one query. Not a cache:
   * every read waits for a query sent after it arrived.
   */
  private readonly rows = new DataLoader<string, Row | undefined>((ids) => this.readRows(ids), {
    cache: false,
    batchScheduleFn: (run) => setImmediate(run),
    maxBatchSize: READS_PER_QUERY,
  });
  /**
   * Identical list requests that arrived together share one answer, read after the last of them arrived
   * (a console's or a dashboard's polls, 50 clients asking the first page): one query, not one each.
   */
  private readonly lists = new DataLoader<string, string>(
    async (keys) => {
      const answers = new Map<string, Promise<string>>();
      for (const key of keys) if (!answers.has(key)) answers.set(key, this.readList(JSON.parse(key) as SchoolFilters));
      // Each request gets its own answer or error: one failing filter does not fail the others.
      return Promise.all(keys.map((key) => answers.get(key)!.catch((error: unknown) => toError(error))));
    },
    { cache: false, batchScheduleFn: (run) => setImmediate(run) },
  );

  constructor(
    private readonly pool: Pick<pg.Pool, 'query'>,
    private readonly store: EventStore,
  ) {}

  /** `getJson`, parsed (for the CLI and the tests). */
  async get(id: string): Promise<SchoolView | undefined> {
    const json = await this.getJson(id);
    return json === undefined ? undefined : (JSON.parse(json) as SchoolView);
  }

  /** `listJson`, parsed. */
  async list(
    filters: SchoolFilters,
  ): Promise<{ items: SchoolView[]; total: number; limit: number; offset: number; next: string | null }> {
    return JSON.parse(await this.listJson(filters)) as {
      items: SchoolView[];
      total: number;
      limit: number;
      offset: number;
      next: string | null;
    };
  }

  /**
   * The read model's row; when the projection has not caught up yet (right after a POST), the
   * school's own stream answers instead, so a 202's Location never gives a 404.
   */
  async getJson(id: string): Promise<string | undefined> {
    return (await this.getAnswer(id))?.json;
  }

  /** `getJson` with the kept answer's digest, so that a route's ETag is not a hash of the text per request. */
  async getAnswer(id: string): Promise<SchoolAnswer | undefined> {
    const row = await this.rows.load(id);
    return row ? this.answerOf(row) : this.fromStream(id);
  }

  /**
   * The rows of `ids` (undefined where there is none). The document is sent only when the answer kept
   * for the school is not for the row's revision and version: most reads then move ~60 bytes, and the
   * server decompresses no document.
   */
  private async readRows(ids: readonly string[]): Promise<Array<Row | undefined>> {
    // Anything else names no school (and must not fail the others' query).
    const asked = ids.filter((id) => isSchoolId(id.toLowerCase()));
    if (asked.length === 0) return ids.map(() => undefined);
    const kept = asked.map((id) => this.answers.keyOf(id));
    const { rows } = await this.pool.query<Row>({
      name: 'school-get',
      text: `SELECT r.id::text AS id, r.revision, r.document_version AS version,
          CASE WHEN r.revision = k.revision AND r.document_version = k.version THEN NULL ELSE r.document::text END
            AS document
        FROM unnest($1::uuid[], $2::int[], $3::text[]) AS k(id, revision, version)
        JOIN school_read_model r ON r.id = k.id`,
      values: [asked, kept.map((k) => k?.revision ?? -1), kept.map((k) => k?.version ?? '')],
    });
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id.toLowerCase()));
  }

  /**
   * `{items, total, limit, offset, next}` as JSON text, the bytes JSON.stringify gives for that object; shared
   * with identical requests that arrived together (`lists`).
   */
  async listJson(filters: SchoolFilters): Promise<string> {
    const { status, district, board, schemaVersion, slug, q, limit, offset, after } = filters;
    return this.lists.load(JSON.stringify({ status, district, board, schemaVersion, slug, q, limit, offset, after }));
  }

  /**
   * One list answer. The page is read without its documents first: when every answer on it is kept, that
   * is all (PostgreSQL does not turn 50 documents into text that would not be read); otherwise it is read
   * again with them, so the total, the order and every answer still come from one snapshot.
   */
  private async readList(filters: SchoolFilters): Promise<string> {
    type ListRow = (Row | { [K in keyof Row]: null }) & { total: number };
    let { rows } = await this.pool.query<ListRow>(listStatement(filters, false));
    const answered = (row: ListRow) =>
      row.id === null || row.version !== SCHOOL_VIEW_VERSION || this.answers.get(row) !== undefined;
    if (!rows.every(answered)) ({ rows } = await this.pool.query<ListRow>(listStatement(filters, true)));
    const page = rows.filter((row): row is Row & { total: number } => row.id !== null);
    const items = await Promise.all(page.map(async (row) => (await this.answerOf(row))!.json));
    // A full page may have more after it: its last row is where the next one starts.
    const last = page.length === filters.limit ? page[page.length - 1] : undefined;
    const next = last?.created ? JSON.stringify(encodeCursor({ createdAt: last.created, id: last.id })) : 'null';
    return `{"items":[${items.join(',')}],"total":${rows[0].total},"limit":${filters.limit},"offset":${filters.offset},"next":${next}}`;
  }

  /**
   * The school as it was at `asOf`: its stream folded up to the last event recorded at or before then.
   * `createdAt` is when its `SchoolRequested` was recorded, the earliest `asOf` with a view (none: no school,
   * as for a stream that only fences an abandoned claim).
   */
  async asOf(id: string, asOf: Date): Promise<{ createdAt?: Date; eventCount: number; view?: SchoolView }> {
    const events = await this.store.readStream(schoolStreamId(id));
    const createdAt = events.find((e) => e.type === 'SchoolRequested')?.recordedAt;
    if (!createdAt) return { eventCount: 0 };
    const upTo = events.filter((e) => e.recordedAt.getTime() <= asOf.getTime());
    const view = foldView(upTo.map(toFoldable));
    return { createdAt, eventCount: upTo.length, view: view && presentSchool(view) };
  }

  /** A row of another document version is never read as a view: the school's stream answers instead. */
  private async answerOf(row: Row): Promise<SchoolAnswer | undefined> {
    if (row.version !== SCHOOL_VIEW_VERSION) return this.fromStream(row.id);
    const kept = this.answers.get(row);
    if (kept !== undefined) return kept;
    // Not kept (forgotten between the query and now): the row came without its document; read it again.
    if (typeof row.document !== 'string') return this.getAnswer(row.id);
    return this.answers.keep(row, JSON.parse(row.document) as SchoolView);
  }

  private async fromStream(id: string): Promise<SchoolAnswer | undefined> {
    return (await this.current(id))?.answer;
  }

  /**
   * The school as its stream says now, whatever the read model has reached: its answer (the same bytes,
   * so the same digest, as the row's at that revision) and its revision. What a conditional change is
   * checked against (If-Match).
   */
  async current(id: string): Promise<{ answer: SchoolAnswer; revision: number } | undefined> {
    const view = foldView((await this.store.readStream(schoolStreamId(id))).map(toFoldable));
    if (!view) return undefined;
    return { answer: answerOf(view), revision: view.revision };
  }
}
