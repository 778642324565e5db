/**
 * The read-model rebuild, `npm run scs -- projections rebuild` as a user runs it (a child process, its
 * rate as it prints it, its peak RSS), beside the floor: reading the same school events from `$all` alone.
 *
 * The events are made the way the service makes them: one real school's history (provisioned by the
 * running SCS) gives each step's result; for every generated school the domain's `decide` turns
 * RequestSchool, the step results in the order `react` asks for them and Conclude into events, and
 * each decision is appended as its own transaction by the PostgreSQL event store, eight schools at a
 * time (SCS_CONCURRENCY's default), so the log interleaves schools as the service's does.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { EventMetadata, NewEvent } from '../src/ports/event-store.port.js';
import { silentLogger } from '../src/ports/logger.port.js';
import { decide } from '../src/domain/school/decide.js';
import { SCHOOL_STREAM_PREFIX, SUCCESS_EVENT, schoolStreamId, type SchoolEvent } from '../src/domain/school/events.js';
import { fold } from '../src/domain/school/evolve.js';
import { react } from '../src/domain/school/react.js';
import { slugStreamId } from '../src/domain/school/slug.js';
import type { SchoolState } from '../src/domain/school/state.js';
import { prepareCentralDatabase } from '../src/adapters/postgres/central-database.js';
import { projectRoot } from '../src/shared/project-root.js';
import { PostgresEventStore } from '../src/adapters/event-store/postgres/postgres-event-store.js';
import { API_KEY } from '../test/support/scs-process.js';
import { mapLimit } from './support/stats.js';

/** One event of a real school's `GET /school/:id/history`. */
export interface HistoryEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

type Decision = { stream: string; events: NewEvent[] };

/** The events of generated schools, from one real school's history, through decide/react. */
export class SchoolGenerator {
  private readonly byType = new Map<string, HistoryEvent>();
  private readonly tokens: { id: string; hex: string; slug: string };
  private counter = 0;

  constructor(
    history: HistoryEvent[],
    private readonly run: string,
  ) {
    for (const e of history) if (!this.byType.has(e.type)) this.byType.set(e.type, e);
    const requested = this.byType.get('SchoolRequested');
    if (!requested) throw new Error('the template school has no SchoolRequested event');
    const id = String(requested.data.schoolId);
    this.tokens = { id, hex: id.replace(/-/g, ''), slug: String(requested.data.slug) };
  }

  /** A template event with the template school's id, database name and slug replaced by another school's. */
  private like(type: string, id: string, slug: string, correlationId: string): HistoryEvent {
    const template = this.byType.get(type);
    if (!template) throw new Error(`the template school has no ${type} event`);
    const json = JSON.stringify(template)
      .replaceAll(this.tokens.id, id)
      .replaceAll(this.tokens.hex, id.replace(/-/g, ''))
      .replaceAll(this.tokens.slug, slug);
    const copy = JSON.parse(json) as HistoryEvent;
    copy.metadata.correlationId = correlationId;
    return copy;
  }

  /** Every append a new school's provisioning makes, in order: the slug claim, then one per decision. */
  school(): Decision[] {
    const id = randomUUID();
    const slug = `bench-${this.run}-${this.counter++}`;
    const correlationId = randomUUID();
    const requested = this.like('SchoolRequested', id, slug, correlationId);
    const now = String(requested.data.requestedAt);
    const { schoolId: _id, databaseName, subdomain, requestedAt: _at, ...details } = requested.data;
    const toNew = (events: SchoolEvent[]): NewEvent[] =>
      events.map((e) => ({
        type: e.type,
        data: e.data as Record<string, unknown>,
        metadata: this.like(e.type, id, slug, correlationId).metadata,
      }));
    const decisions: Decision[] = [
      {
        stream: slugStreamId(slug),
        events: [{ type: 'SlugClaimed', data: { slug, schoolId: id }, metadata: requested.metadata }],
      },
    ];
    let state: SchoolState | undefined;
    const record = (events: SchoolEvent[]) => {
      if (events.length === 0) return false;
      decisions.push({ stream: schoolStreamId(id), events: toNew(events) });
      state = fold(events, state);
      return true;
    };
    record(
      decide(
        {
          type: 'RequestSchool',
          data: {
            schoolId: id,
            details: details as never,
            databaseName: String(databaseName),
            subdomain: String(subdomain),
            slugStream: slugStreamId(slug),
            slugRevision: 0,
            now,
          },
        },
        state,
      ),
    );
    for (;;) {
      const reaction = react(state, now);
      if (reaction.type === 'run') {
        const result = this.like(SUCCESS_EVENT[reaction.action], id, slug, correlationId) as unknown as SchoolEvent;
        if (!record(decide({ type: 'RecordStepResult', data: { action: reaction.action, event: result, now } }, state)))
          break;
      } else if (reaction.type === 'conclude') {
        if (!record(decide({ type: 'Conclude', data: { now } }, state))) break;
      } else break;
    }
    if (state?.status !== 'active') throw new Error(`a generated school ended ${state?.status}, not active`);
    return decisions;
  }
}

/** Appends `schools` generated schools to the central database at `url`; returns the school events written. */
export async function generate(url: string, generator: SchoolGenerator, schools: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const store = new PostgresEventStore({ pool });
  let written = 0;
  try {
    const blocks = Array.from({ length: Math.ceil(schools / 8) }, (_, b) => Math.min(8, schools - b * 8));
    await mapLimit(blocks, 4, async (size) => {
      const flights = Array.from({ length: size }, () => generator.school());
      const revisions = new Map<string, number>();
      const client = await pool.connect();
      try {
        for (let round = 0; flights.some((f) => round < f.length); round++) {
          await client.query('BEGIN');
          for (const flight of flights) {
            const d = flight[round];
            if (!d) continue;
            const last = revisions.get(d.stream);
            const result = await store.appendWithClient(
              client,
              d.stream,
              d.events,
              last === undefined ? 'no_stream' : last,
            );
            revisions.set(d.stream, result.nextExpectedRevision);
            if (d.stream.startsWith(SCHOOL_STREAM_PREFIX)) written += d.events.length;
          }
          await client.query('COMMIT');
        }
      } finally {
        client.release();
      }
    });
    return written;
  } finally {
    await store.close();
    await pool.end();
  }
}

/** Events/s of reading every school event from `$all` in pages of 1000 (what a rebuild reads). */
export async function readAllRate(url: string, expected: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const store = new PostgresEventStore({ pool });
  try {
    const t0 = performance.now();
    let read = 0;
    let after;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 1000, streamPrefix: SCHOOL_STREAM_PREFIX });
      if (page.length === 0) break;
      read += page.length;
      after = page[page.length - 1].position;
    }
    if (read !== expected) throw new Error(`read ${read} school events from $all, expected ${expected}`);
    return read / ((performance.now() - t0) / 1000);
  } finally {
    await store.close();
    await pool.end();
  }
}

// Reports the child's peak RSS (kB) on exit, whatever the CLI does.
const PEAK_RSS =
  'data:text/javascript,' +
  `process.on('exit',()=>process.stderr.write('peak-rss-kb '+process.resourceUsage().maxRSS+'\\n'))`;

/** The node flags of `npm run scs` (package.json), so that the bench runs the CLI as a user does. */
function cliNodeFlags(): string[] {
  const scripts = (
    JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  const words = scripts.scs.split(/\s+/);
  if (words[0] !== 'node') throw new Error(`the scs script does not start with node: ${scripts.scs}`);
  return words.slice(1, words.indexOf('dist/src/cli/main.js'));
}

/** Runs the CLI's rebuild against the central database at `url`: its printed rate and its peak RSS. */
export async function cliRebuild(
  url: string,
  expected: { events: number; schools: number },
): Promise<{ eventsPerSecond: number; peakRssMb: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'scs-bench-cli-'));
  try {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          ...cliNodeFlags(),
          '--import',
          PEAK_RSS,
          join(projectRoot(), 'dist/src/cli/main.js'),
          'projections',
          'rebuild',
          'school-read-model',
        ],
        {
          cwd: projectRoot(),
          env: {
            PATH: process.env.PATH ?? '',
            NODE_ENV: 'test',
            DATABASE_URL: url,
            SCS_API_KEY: API_KEY,
            SCS_DATA_DIR: dataDir,
          },
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, out, err) =>
          error
            ? reject(new Error(`projections rebuild: ${error.message}\n${err}`))
            : resolve({ stdout: out, stderr: err }),
      );
    });
    const done = /rebuilt school-read-model: (\d+) events in ([\d.]+) s/.exec(stdout);
    const rss = /peak-rss-kb (\d+)/.exec(stderr);
    if (!done || !rss) throw new Error(`projections rebuild printed no figures:\n${stdout}\n${stderr}`);
    if (Number(done[1]) !== expected.events) {
      throw new Error(`projections rebuild read ${done[1]} events, expected ${expected.events}`);
    }
    return { eventsPerSecond: Number(done[1]) / Number(done[2]), peakRssMb: Number(rss[1]) / 1024 };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function prepareRebuildDatabase(url: string): Promise<void> {
  await prepareCentralDatabase(url, silentLogger);
}
