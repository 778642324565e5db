import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli, runScsBin } from '../support/cli.js';
import { freshDatabase, query } from '../support/databases.js';
import { schoolBody, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VERSION = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version as string;
// Never reached by the convention tests: help, version and usage errors answer before any connection.
const NOWHERE = 'postgres://postgres@127.0.0.1:1/none';

describe('CLI conventions: help, version, usage errors and exit codes', () => {
  it.each([
    [['--help']],
    [['-h']],
    [['help']],
    [['school', '--help']],
    [['school', 'delete', '-h']],
    [['reconcile', '--help']],
    [['schools', 'list', '--help']],
    [['secrets', 'rotate', '--help']],
    [['help', 'school']],
  ])('%j prints usage on stdout and exits 0 without doing anything', async (args) => {
    const { code, stdout } = await runCli(NOWHERE, args);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: scs/);
  });

  it('--version prints the package version and exits 0', async () => {
    const { code, stdout } = await runCli(NOWHERE, ['--version']);
    expect({ code, stdout: stdout.trim() }).toEqual({ code: 0, stdout: VERSION });
  });

  it.each([
    [[], /Usage: scs/],
    [['nonsense'], /unknown command 'nonsense'/],
    [['school', 'nonsense'], /unknown command 'nonsense'/],
    [['reconcile', '--fx'], /unknown option '--fx'/],
    [['schools', 'list', '--status'], /argument missing/],
    [['schools', 'list', '--status', 'sleeping'], /Allowed choices are provisioning/],
    [['school', 'delete'], /missing required argument 'school'/],
    [['school', 'delete', 'not an id'], /a school id \(a UUID\) or its slug/],
    [['school', 'show', 'greenwood.syncad.in'], /a school id \(a UUID\) or its slug/],
    [['secrets', 'rotate', '--only', 'x/y'], /a school id \(a UUID\) or its slug/],
    [['secrets', 'rotate', '--concurrency', '0'], /1 to 64/],
  ])('%j is a usage error: exit 2 with a message on stderr', async (args, message) => {
    const { code, stderr } = await runCli(NOWHERE, args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('a configuration error exits 78, like the service, naming the variable', async () => {
    const { code, stderr } = await runCli(NOWHERE, ['schools', 'list'], { SCS_CONCURRENCY: 'many' });
    expect(code).toBe(78);
    expect(stderr).toMatch(/SCS_CONCURRENCY/);
  });
});

describe("CLI operator commands: schools list, school delete, school retry (through the API's handlers), by id or slug", () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess | undefined;
  let failedId: string;
  let activeId: string;
  let failedSlug: string;

  beforeAll(async () => {
    central = await freshDatabase('scs_cli_ops');
    // One school fails for good at create_dns; the service is then restarted without the fault.
    const faulty = await startScs({ databaseUrl: central.url, env: { SCS_FAULTS: 'create_dns:fail' } });
    const body = schoolBody();
    failedSlug = body.slug;
    failedId = (await faulty.request('/school', { method: 'POST', json: body })).body.id;
    await waitForStatus(faulty, failedId, ['failed']);
    await faulty.stop();
    scs = await startScs({ databaseUrl: central.url });
    const nashik = { ...schoolBody(), district: 'Nashik' };
    activeId = (await scs.request('/school', { method: 'POST', json: nashik })).body.id;
    await waitForStatus(scs, activeId, ['active']);
  });
  afterAll(async () => {
    await scs?.stop();
    await central?.drop();
  });

  const cli = (...args: string[]) => runCli(central.url, args);

  it('schools list filters by status, district and board, as JSON and as a table', async () => {
    const json = await cli('schools', 'list', '--status', 'failed', '--json');
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout);
    expect(page).toMatchObject({ total: 1, limit: 50, offset: 0 });
    expect(page.items.map((s: { id: string }) => s.id)).toEqual([failedId]);
    const byDistrict = JSON.parse(
      (await cli('schools', 'list', '--district', 'Nashik', '--board', 'CBSE', '--json')).stdout,
    );
    expect(byDistrict.items.map((s: { id: string }) => s.id)).toEqual([activeId]);
    const table = await cli('schools', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${failedId}\\s+failed\\s+${failedSlug}`));
    expect(table.stdout).toMatch(new RegExp(`${activeId}\\s+active`));
  });

  it('audit verify compares every column of every projection row with the rows the events give', async () => {
    expect((await cli('audit', 'verify')).code).toBe(0);
    // By hand, beside the documents: the list filters on the column, so the failed school is listed as active.
    await query(central.url, `UPDATE school_read_model SET status = 'active' WHERE id = $1`, [failedId]);
    await query(central.url, `UPDATE report_fleet SET district = 'Nowhere' WHERE school_id = $1`, [activeId]);
    await query(central.url, `UPDATE school_read_model SET document = document || '{"board":"ICSE"}' WHERE id = $1`, [
      activeId,
    ]);
    const [run] = await query(
      central.url,
      `DELETE FROM report_step_runs WHERE (school_id, revision) =
         (SELECT school_id, min(revision) FROM report_step_runs WHERE school_id = $1 GROUP BY 1) RETURNING *`,
      [failedId],
    );
    const listed = JSON.parse((await cli('schools', 'list', '--status', 'active', '--json')).stdout);
    expect(listed.items.map((s: { id: string }) => s.id)).toContain(failedId);
    try {
      const { code, stdout } = await cli('audit', 'verify', '--json');
      expect(code).toBe(1);
      const mismatches = JSON.parse(stdout).mismatches.map(({ detail: _, ...m }: Record<string, unknown>) => m);
      const projection = (
        id: string,
        table: string,
        key: object,
        column: string,
        expected: string,
        actual: string,
      ) => ({ kind: 'projection', streamId: `school-${id}`, table, key, column, expected, actual });
      expect(mismatches).toHaveLength(4);
      expect(mismatches).toEqual(
        expect.arrayContaining([
          projection(activeId, 'school_read_model', { id: activeId }, 'document.board', 'CBSE', 'ICSE'),
          projection(failedId, 'school_read_model', { id: failedId }, 'status', 'failed', 'active'),
          projection(
            failedId,
            'report_step_runs',
            { school_id: failedId, revision: run.revision },
            '(row)',
            'a row',
            'no row',
          ),
          projection(activeId, 'report_fleet', { school_id: activeId }, 'district', 'Nashik', 'Nowhere'),
        ]),
      );
      const text = await cli('audit', 'verify');
      expect(text.stdout).toContain(`school_read_model id=${failedId} status: expected "failed", actual "active"`);
    } finally {
      await query(central.url, `UPDATE school_read_model SET status = 'failed' WHERE id = $1`, [failedId]);
      await query(central.url, `UPDATE report_fleet SET district = 'Nashik' WHERE school_id = $1`, [activeId]);
      await query(central.url, `UPDATE school_read_model SET document = document || '{"board":"CBSE"}' WHERE id = $1`, [
        activeId,
      ]);
      const restore = 'INSERT INTO report_step_runs SELECT * FROM json_populate_record(NULL::report_step_runs, $1)';
      await query(central.url, restore, [JSON.stringify(run)]);
    }
    expect((await cli('audit', 'verify')).code).toBe(0);
  });

  it('school retry requests a failed school again with the same details, recorded as the CLI', async () => {
    const notFailed = await cli('school', 'retry', activeId);
    expect(notFailed.code).toBe(1);
    expect(notFailed.stderr).toMatch(/is active; only a failed school can be retried/);

    const { code, stdout } = await cli('school', 'retry', failedId, '--json');
    expect(code).toBe(0);
    const retried = JSON.parse(stdout);
    expect(retried).toMatchObject({ retryOf: failedId, slug: failedSlug, status: 'provisioning' });
    const school = await waitForStatus(scs!, retried.id, ['active']);
    const before = (await scs!.request(`/school/${failedId}`)).body;
    for (const field of ['name', 'slug', 'district', 'board', 'adminEmail', 'phone']) {
      expect(school[field]).toEqual(before[field]);
    }
    const history = (await scs!.request(`/school/${retried.id}/history`)).body.events;
    expect(history[0]).toMatchObject({ type: 'SchoolRequested', metadata: { actor: 'cli', retryOf: failedId } });
  });

  it('takes a school by its slug wherever it takes its id: the school holding the slug, else the one that had it', async () => {
    // The failed school gave its slug back; its retry (the test before) holds it now.
    const listed = JSON.parse((await cli('schools', 'list', '--slug', failedSlug, '--json')).stdout);
    expect(listed.items).toHaveLength(2);
    const holder = listed.items.find((s: { id: string }) => s.id !== failedId).id as string;
    const shown = await cli('school', 'show', failedSlug.toUpperCase(), '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout).id).toBe(holder);

    const activeSlug = (await scs!.request(`/school/${activeId}`)).body.slug as string;
    const history = await cli('school', 'history', activeSlug, '--json');
    expect(JSON.parse(history.stdout)[0]).toMatchObject({ type: 'SchoolRequested', data: { schoolId: activeId } });
    const planned = await cli('school', 'delete', activeSlug, '--dry-run');
    expect(planned.stdout).toContain(`school ${activeId} (${activeSlug}) is active`);
    const migrate = await cli('schools', 'migrate', '--only', activeSlug, '--dry-run', '--json');
    expect(migrate.code).toBe(0);
    const move = await cli('school', 'move', activeSlug, '--to', 'nowhere', '--dry-run');
    expect(move.stderr).toMatch(/no tenant server "nowhere"/);
    const retry = await cli('school', 'retry', activeSlug);
    expect(retry.stderr).toContain(`school ${activeId} is active`);

    const unknown = await cli('school', 'show', 'no-such-school');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no school with id or slug no-such-school/);
  });

  const status = async (id: string) => (await scs!.request(`/school/${id}`)).body.status as string;
  const eventCount = async (id: string) => (await scs!.request(`/school/${id}/history`)).body.events.length as number;

  it('school delete without --yes refuses when stdin is not a terminal (exit 2); the school stays active', async () => {
    const before = await eventCount(activeId);
    const { code, stdout, stderr } = await cli('school', 'delete', activeId);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/refusing to tear a school down without --yes: stdin is not a terminal/);
    expect(await status(activeId)).toBe('active');
    expect(await eventCount(activeId)).toBe(before);
  });

  it('school delete --dry-run prints what the teardown would undo and changes nothing', async () => {
    const before = await eventCount(activeId);
    const { code, stdout } = await cli('school', 'delete', activeId, '--dry-run');
    expect(code).toBe(0);
    const slug = (await scs!.request(`/school/${activeId}`)).body.slug as string;
    expect(stdout).toContain(`school ${activeId} (${slug}) is active; a teardown would undo: `);
    expect(stdout).toMatch(
      /unregister_school, withdraw_certificate, revoke_certificate, delete_dns, drop_database, release_slug/,
    );
    expect(stdout).toMatch(/dry run: nothing was changed/);
    const json = JSON.parse((await cli('school', 'delete', activeId, '--dry-run', '--json')).stdout);
    expect(json).toMatchObject({ id: activeId, slug, status: 'active', records: true, dryRun: true });
    expect(await status(activeId)).toBe('active');
    expect(await eventCount(activeId)).toBe(before);
  });

  it('reconcile --fix and school move without --yes refuse too; --dry-run needs no --yes', async () => {
    for (const args of [
      ['reconcile', '--fix'],
      ['school', 'move', activeId, '--to', 'default'],
      ['secrets', 'rotate'],
      ['schools', 'migrate'],
    ]) {
      const { code, stderr } = await cli(...args);
      expect({ args, code, refused: /refusing to .* without --yes/.test(stderr) }).toEqual({
        args,
        code: 2,
        refused: true,
      });
    }
    const planned = await cli('reconcile', '--fix', '--dry-run');
    expect(planned.code).toBe(0);
    expect(planned.stdout).toMatch(/orphans: 0, drift: 0.*\ndry run: nothing was changed\n$/s);
  });

  it("audit export through the package's bin: stdout is the export alone, progress plain lines on stderr", async () => {
    const { code, stdout, stderr } = await runScsBin(central.url, ['audit', 'export']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.map((l) => JSON.parse(l).streamId)).toContain(`school-${activeId}`);
    // stderr is a pipe: no bar glyphs, carriage returns or escape sequences, only lines.
    expect(stderr).not.toMatch(/[\u2588\u2591\r]/);
    expect(stderr).not.toContain('\u001b[');
    expect(stderr).toMatch(/^exporting 100% \| \d+ events \| 0s left\nexported (\d+) of \d+ events\n$/m);
  });

  it('school delete tears a school down through the teardown handler, recorded as the CLI', async () => {
    const { code, stdout } = await cli('school', 'delete', activeId, '--yes', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ id: activeId, status: 'deprovisioning' });
    await waitForStatus(scs!, activeId, ['deleted']);
    const history = (await scs!.request(`/school/${activeId}/history`)).body.events;
    const requested = history.find((e: { type: string }) => e.type === 'TeardownRequested');
    expect(requested).toMatchObject({ metadata: { actor: 'cli' } });
    const again = await cli('school', 'delete', activeId, '--yes');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/deleted/);
    const unknown = await cli('school', 'delete', '6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b', '--yes');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no school with id/);
  });
});
