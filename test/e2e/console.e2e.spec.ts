import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { freshDatabase } from '../support/databases.js';
import { API_KEY, schoolBody, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';

// The screenshots are taken on every run; they replace docs/console/ only when asked
// (SCS_UPDATE_SCREENSHOTS=1), so a test run leaves the working tree as it found it.
const SHOTS =
  process.env.SCS_UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/console/', import.meta.url))
    : `${mkdtempSync(join(tmpdir(), 'scs-console-shots-'))}/`;
const HOSTILE = '<img src=x onerror=alert(1)>';
/** axe-core's source, evaluated in the page (through the DevTools protocol: the page's CSP allows no inline script). */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The elements with a text child that is just "null" (a null written as text): for $$eval. */
type Node = { nodeType: number; nodeValue: string | null };
const nullTexts = (nodes: { tagName: string; childNodes: ArrayLike<Node> }[]) =>
  nodes
    .filter((n) => Array.from(n.childNodes).some((c) => c.nodeType === 3 && c.nodeValue!.trim() === 'null'))
    .map((n) => n.tagName);
const chromium = await launchChromium();
/** The screenshots the axe sweep takes: phone width and dark mode. */
const SHOT_OF: Record<string, string> = {
  '390 light #/schools': 'phone-schools.png',
  '390 light #/school/:active': 'phone-school.png',
  '1440 light #/school/:deleted': 'school-deleted.png',
  '390 light #/reports': 'phone-reports.png',
  '390 dark #/school/:failed': 'dark-school-failed.png',
  '390 dark #/schools': 'dark-schools.png',
  '390 dark #/reports': 'dark-reports.png',
  '1440 light #/reports': 'reports-wide.png',
  '1440 light #/audit': 'audit.png',
};

/**
 * The operator console in Debian's Chromium: sign in, create a school and watch its timeline reach
 * active, read its history, delete it; field errors; a hostile name shown as text; the reports' charts
 * against the API; the defects of issue 35 (late answers, polls after leaving, focus, overflow, states);
 * axe-core on every page at desktop and phone widths, light and dark. Each page is photographed (into
 * docs/console/ with SCS_UPDATE_SCREENSHOTS=1).
 */
chromium.describe('operator console in Chromium', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const violations: string[] = [];

  let failedId: string;
  let retryId: string;
  let deletedId: string;
  /** A key that may read schools and reports, and do nothing else. */
  const READER = 'reader-secret-0123456789';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    central = await freshDatabase('scs_console');
    // A school that failed for good at create_dns (for Retry); then the service without that fault.
    const faulty = await startScs({ databaseUrl: central.url, env: { SCS_FAULTS: 'create_dns:fail' } });
    failedId = (await faulty.request('/school', { method: 'POST', json: schoolBody() })).body.id;
    await waitForStatus(faulty, failedId, ['failed'], 90_000);
    await faulty.stop();
    scs = await startScs({
      databaseUrl: central.url,
      env: { SCS_FAULTS: 'create_dns:flaky:1', SCS_API_KEYS: `reader:${READER}:schools:read+reports:read` },
    });
    context = await chromium.browser!.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('dialog', (dialog) => void (dialogs.push(dialog.message()), dialog.dismiss()));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await chromium.browser?.close();
    await scs?.stop();
    await central?.drop();
  });

  const signIn = async (key: string) => {
    await page.goto(`${scs.url}/console`);
    await page.fill('#sign-in input[name=key]', key);
    await page.click('#sign-in button[type=submit]');
  };

  it('serves the page without a key, with a strict CSP and the security headers; weighs it', async () => {
    const sizes: number[] = [];
    const weigh = (request: Request) =>
      void request.sizes().then(
        (s) => sizes.push(s.responseBodySize + s.responseHeadersSize),
        () => undefined,
      );
    page.on('requestfinished', weigh);
    const res = await page.goto(`${scs.url}/console`);
    expect(res!.status()).toBe(200);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toMatch(/unsafe-(inline|eval)/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    await page.waitForSelector('#sign-in');
    await page.waitForLoadState('networkidle');
    page.off('requestfinished', weigh);
    const bytes = sizes.reduce((a, b) => a + b, 0);
    console.log(`console first load: ${sizes.length} requests, ${bytes} bytes transferred`);
    expect(sizes.length).toBeGreaterThanOrEqual(12); // page, stylesheet, favicon and the modules
    expect(bytes).toBeLessThan(100 * 1024);
    // The favicon is served (an SVG, under the same CSP as the rest).
    const icon = await page.getAttribute('link[rel=icon]', 'href');
    const served = await context.request.get(`${scs.url}${icon}`);
    expect([served.status(), served.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
    await page.screenshot({ path: `${SHOTS}sign-in.png` });
  });

  it('shows the API problem for a wrong key and keeps no key', async () => {
    await signIn('not-the-key-0123456789');
    const refused = await page.textContent('#sign-in .problem');
    expect(refused).toMatch(/key/i);
    // Defect 7: not the API's "send the key in the X-SCS-Key header", which the page just did.
    expect(refused).not.toMatch(/send the key/i);
    expect(await page.evaluate("sessionStorage.getItem('scs-key')")).toBeNull();
    expect(page.url()).not.toContain('not-the-key');
  });

  it('shows the API validation messages beside each field', async () => {
    await signIn(API_KEY);
    await page.waitForSelector('#schools');
    expect(await page.evaluate("sessionStorage.getItem('scs-key')")).toBe(API_KEY);
    expect((await context.cookies()).length).toBe(0);
    await page.goto(`${scs.url}/console#/new`);
    await page.fill('input[name=slug]', 'X');
    await page.fill('input[name=adminEmail]', 'not-an-email');
    await page.click('#new-school button[type=submit]');
    await page.waitForSelector('.field-error[data-field=slug]:not(:empty)');
    const api = await scs.request('/school', { method: 'POST', json: { ...schoolBody('X'), adminEmail: 'no' } });
    const message = (field: string) => api.body.errors.find((e: any) => e.field === field).message;
    expect(await page.textContent('.field-error[data-field=slug]')).toBe(message('slug'));
    expect(await page.textContent('.field-error[data-field=adminEmail]')).toBe(message('adminEmail'));
    await page.screenshot({ path: `${SHOTS}new-school-errors.png` });
  });

  it('shows a hostile name as the characters it is, with the API refusal beside it', async () => {
    await page.goto(`${scs.url}/console#/schools`);
    await page.goto(`${scs.url}/console#/new`);
    for (const [field, value] of Object.entries({ ...schoolBody(), name: HOSTILE }))
      await page.fill(`input[name=${field}]`, value);
    await page.click('#new-school button[type=submit]');
    await page.waitForSelector('.field-error[data-field=name]:not(:empty)');
    expect(await page.inputValue('input[name=name]')).toBe(HOSTILE);
    expect(await page.$$('img')).toHaveLength(0);
    expect(dialogs).toEqual([]);
    // The district filter is echoed by the API and the page as text too.
    await page.goto(`${scs.url}/console#/schools?district=${encodeURIComponent(HOSTILE)}`);
    await page.waitForSelector('#list .empty');
    expect(await page.inputValue('#filters input[name=district]')).toBe(HOSTILE);
    expect(await page.$$('img')).toHaveLength(0);
  });

  it('creates a school, watches its timeline reach active, reads its history, deletes it', async () => {
    const body: Record<string, string> = schoolBody();
    await page.goto(`${scs.url}/console#/schools`);
    await page.goto(`${scs.url}/console#/new`);
    for (const [field, value] of Object.entries(body)) await page.fill(`input[name=${field}]`, value);
    await page.click('#new-school button[type=submit]');
    await page.waitForURL(/#\/school\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop()!;
    // The page polls by itself: the last step of the timeline turns succeeded and the status active.
    await page.waitForSelector('[data-status=active]', { timeout: 30_000 });
    await page.waitForSelector('#timeline li[data-step=send_welcome_email] .step-succeeded');
    const steps = await page.$$eval('#timeline li', (items) => items.map((li) => li.getAttribute('data-step')));
    const school = (await scs.request(`/school/${id}`)).body;
    expect(steps).toEqual(school.steps.map((s: any) => s.name));
    expect(await page.textContent('#school-name')).toBe(body.name);
    const history = (await scs.request(`/school/${id}/history`)).body.events;
    // Not waitForFunction with a string: the page's CSP refuses eval once it has to poll.
    await page.waitForSelector(`#history tr:nth-child(${history.length + 1})`);
    const rows = await page.$$eval('#history tr', (trs) => trs.slice(1).map((tr) => tr.children[2].textContent));
    expect(rows).toEqual(history.map((e: any) => e.type));
    const correlation = await page.$$eval('#history tr', (trs) => trs[1].children[4].textContent);
    expect(correlation).toBe(history[0].metadata.correlationId);
    await page.screenshot({ path: `${SHOTS}school.png`, fullPage: true });
    expect(await page.$$('#retry')).toHaveLength(0); // only a failed school has Retry
    // Defect 1: no stray "null" line (a null child written as text) anywhere on the page.
    expect(await page.$$eval('#main *', nullTexts)).toEqual([]);

    // As of the first event: the slider folds the stream up to then.
    await page.$eval('#as-of', (input) => {
      (input as unknown as { value: string }).value = '0';
      input.dispatchEvent(new (globalThis as any).Event('change'));
    });
    await page.waitForSelector('[data-status=provisioning]');
    // Defect 8: the past is marked as such, without the actions of the present.
    await page.waitForSelector('#past');
    expect(await page.$$('#delete')).toHaveLength(0);
    await page.click('#now');
    await page.waitForSelector('#delete');

    await page.fill('#confirm-slug', 'wrong-slug');
    await page.click('#delete');
    expect((await scs.request(`/school/${id}`)).body.status).toBe('active');
    await page.fill('#confirm-slug', body.slug);
    await page.click('#delete');
    await page.waitForSelector('#school-body > .subtitle [data-status=deleted]', { timeout: 30_000 });
    deletedId = id;
    // Defect 8: a teardown is not called a rollback, and what it removed is marked so.
    await page.waitForSelector('#undo-title[data-kind=teardown]');
    expect(await page.textContent('#facts')).toContain('drop database done');

    await page.goto(`${scs.url}/console#/schools`);
    await page.waitForSelector(`#schools tr[data-id="${id}"] [data-status=deleted]`);
    expect(await page.textContent(`#schools tr[data-id="${id}"] a`)).toBe(body.name);
    await page.screenshot({ path: `${SHOTS}schools.png` });
    expect(violations).toEqual([]);
  }, 90_000);

  it('retries a failed school from its page and follows the new school to active', async () => {
    const failed = (await scs.request(`/school/${failedId}`)).body;
    await page.goto(`${scs.url}/console#/school/${failedId}`);
    await page.waitForSelector('[data-status=failed]');
    await page.waitForSelector('#retry');
    await page.screenshot({ path: `${SHOTS}school-failed.png`, fullPage: true });
    await page.click('#retry');
    await page.waitForURL((url) => /#\/school\/[0-9a-f-]{36}$/.test(url.hash) && !url.hash.includes(failedId));
    const id = page.url().split('/').pop()!;
    await page.waitForSelector('[data-status=active]', { timeout: 30_000 });
    expect(await page.textContent('#school-name')).toBe(failed.name);
    expect(await page.getAttribute('#retry-of a', 'href')).toBe(`#/school/${failedId}`);
    const school = (await scs.request(`/school/${id}`)).body;
    expect(school).toMatchObject({ status: 'active', slug: failed.slug, district: failed.district });
    const history = (await scs.request(`/school/${id}/history`)).body.events;
    expect(history[0].metadata.retryOf).toBe(failedId);
    expect((await scs.request(`/school/${failedId}`)).body.status).toBe('failed');
    expect(await page.$$('#retry')).toHaveLength(0);
    retryId = id;
    // Defect 8: the failed school links to its retry, rolled back (not torn down), its database dropped.
    await page.goto(`${scs.url}/console#/school/${failedId}`);
    await page.waitForSelector(`#retried-as a[href="#/school/${id}"]`);
    expect(await page.getAttribute('#undo-title', 'data-kind')).toBe('rollback');
    expect(await page.textContent('#facts')).toContain('drop database done');
    expect(violations).toEqual([]);
  }, 60_000);

  it('lists schools in flight and updates them by itself', async () => {
    await page.goto(`${scs.url}/console#/schools`);
    await page.waitForSelector('#schools');
    const created = await scs.request('/school', { method: 'POST', json: schoolBody() });
    expect(created.status).toBe(202);
    // No reload: the list sees the new school (polling after the last change) and then its activation.
    await page.waitForSelector(`#schools tr[data-id="${created.body.id}"] [data-status=active]`, { timeout: 30_000 });
  }, 60_000);

  it('draws the reports with the numbers the API gives', async () => {
    const more = [];
    for (const [district, board] of [
      ['Nashik', 'ICSE'],
      ['Nagpur', 'CBSE'],
    ]) {
      const json = { ...schoolBody(), district, board };
      more.push((await scs.request('/school', { method: 'POST', json })).body);
    }
    for (const s of more) await waitForStatus(scs, s.id, ['active']);
    await page.goto(`${scs.url}/console#/reports`);
    await page.waitForSelector('#chart-onboarding');
    const [onboarding, steps, fleet] = await Promise.all(
      ['/reports/onboarding?period=day&groupBy=district', '/reports/steps', '/reports/fleet'].map((p) =>
        scs.request(p).then((r) => r.body),
      ),
    );
    const bars = (chart: string, series: string) =>
      page.$$eval(`#${chart} rect[data-series=${series}]`, (rects) => rects.map((r) => Number(r.dataset.value)));
    expect(await bars('chart-onboarding', 'requested')).toEqual(onboarding.lines.map((l: any) => l.requested));
    expect(await bars('chart-onboarding', 'activated')).toEqual(onboarding.lines.map((l: any) => l.activated));
    // The failed school, its retry, the one created in the page, the one listed in flight, these two.
    expect(onboarding.lines.reduce((n: number, l: any) => n + l.requested, 0)).toBe(6);
    const ran = steps.lines.filter((l: any) => l.runs > 0 && l.kind === 'step');
    expect(await bars('chart-steps', 'p50Ms')).toEqual(ran.map((l: any) => l.p50Ms));
    expect(await bars('chart-steps', 'p95Ms')).toEqual(ran.map((l: any) => l.p95Ms));
    // Defect 6: failures and retries per step, as the API counts them; compensations on a chart of their own.
    expect(await bars('chart-failures', 'failures')).toEqual(ran.map((l: any) => l.failures));
    expect(await bars('chart-failures', 'retries')).toEqual(ran.map((l: any) => l.retries));
    const dns = steps.lines.find((l: any) => l.action === 'create_dns');
    expect(dns.failures).toBeGreaterThan(0);
    const dnsRow = await page.$$eval('#failing tr[data-action=create_dns] td', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(dnsRow.slice(0, 2)).toEqual([String(dns.runs), String(dns.failures)]);
    expect(dnsRow[5]).toContain(dns.topFailures[0].reason);
    const undos = steps.lines.filter((l: any) => l.runs > 0 && l.kind === 'compensation');
    expect(undos.length).toBeGreaterThan(0);
    expect(await bars('chart-compensations', 'p95Ms')).toEqual(undos.map((l: any) => l.p95Ms));
    const labels = await page.$$eval('#chart-steps text.label', (t) => t.map((x) => x.firstChild!.textContent));
    expect(labels.some((l) => /^(drop|delete|release|revoke|withdraw|unregister)_/.test(l!))).toBe(false);
    // Tiles: deleted, median time to active, certificate expiry, schema versions.
    const count = (status: string) =>
      fleet.byStatus.filter((c: any) => c.status === status).reduce((n: number, c: any) => n + c.count, 0);
    expect(await page.textContent('#tile-deleted .tile-value')).toBe(String(count('deleted')));
    const expiry = fleet.certificateExpiry;
    expect(await page.textContent('#tile-certificates .tile-value')).toBe(
      `${expiry.within7Days} / ${expiry.within30Days}`,
    );
    for (const v of fleet.bySchemaVersion)
      expect(await page.textContent('#tile-schemas')).toContain(`${v.schemaVersion} × ${v.count}`);
    expect(await page.textContent('#tile-median .tile-value')).toMatch(/^\d+\.\d s$/);
    expect(await page.textContent('#fleet tr:has(th:text-is("active")) td')).toBe(String(count('active')));
    expect(await page.$$('#projections tr')).not.toHaveLength(1);
    await page.screenshot({ path: `${SHOTS}reports.png`, fullPage: true });
  }, 90_000);

  /** The request a chart was drawn from, as the page shows it under the chart. */
  const queryOf = (box: string) => page.textContent(`#${box} .query`).then((t) => t!.replace('GET ', ''));
  const drawn = (chart: string, series: string) =>
    page.$$eval(`#${chart} rect[data-series=${series}]`, (rects) => rects.map((r) => Number(r.dataset.value)));

  it('passes the period controls to the API as it documents them and draws its answer', async () => {
    await page.goto(`${scs.url}/console#/reports`);
    await page.waitForSelector('#chart-onboarding');
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

    await page.selectOption('#report-controls select[name=period]', 'month');
    await page.waitForSelector('.chart .query:has-text("period=month")');
    await page.selectOption('#report-controls select[name=groupBy]', 'district,board');
    await page.fill('#report-controls input[name=from]', today);
    const onboardingPath = `/reports/onboarding?period=month&groupBy=district%2Cboard&from=${today}`;
    await page.waitForSelector(`.chart .query:text-is("GET ${onboardingPath}")`);
    await page.waitForSelector('#chart-onboarding');
    const onboarding = (await scs.request(onboardingPath)).body;
    expect(onboarding).toMatchObject({ period: 'month', groupBy: ['district', 'board'] });
    expect(onboarding.lines.length).toBeGreaterThan(0);
    for (const series of ['requested', 'activated', 'failed'])
      expect(await drawn('chart-onboarding', series)).toEqual(onboarding.lines.map((l: any) => l[series]));
    const labels = await page.$$eval('#chart-onboarding text.label', (texts) =>
      texts.map((t) => t.firstChild!.textContent),
    );
    expect(labels).toEqual(onboarding.lines.map((l: any) => `${l.period} ${l.district} ${l.board}`));
    expect(page.url()).toContain(`from=${today}`);

    // Steps up to the start of today: nothing ran before, so the chart is empty, as the API says.
    await page.fill('#report-controls input[name=stepsTo]', today);
    await page.waitForSelector(`#steps-box .query:text-is("GET /reports/steps?to=${today}")`);
    const stepsPath = await queryOf('steps-box');
    expect(stepsPath).toBe(`/reports/steps?to=${today}`);
    const steps = (await scs.request(stepsPath)).body;
    const ran = steps.lines.filter((l: any) => l.runs > 0);
    expect(await drawn('chart-steps', 'p95Ms')).toEqual(ran.map((l: any) => l.p95Ms));
    expect(ran).toEqual([]);
    // Defect 7: an empty chart says so in words, not as an axis with "0 no data".
    expect(await page.textContent('#chart-steps-empty')).toMatch(/no step ran/);
    expect(await page.$$('#steps-box svg')).toHaveLength(0);

    // An empty range is the API's 400, shown where the chart was.
    await page.fill('#report-controls input[name=from]', tomorrow);
    await page.fill('#report-controls input[name=to]', today);
    await page.waitForSelector('.chart .problem');
    expect(await page.textContent('.chart .problem')).toBe('to must be after from');
    expect(violations).toEqual([]);
  }, 60_000);

  it('lays many periods out without overlapping labels, each with its full label and values in a tooltip', async () => {
    // A chart of 120 days (more than the test can live through), drawn by the page's own module.
    const result = await page.evaluate(`(async () => {
      const { barChart } = await import('/console/charts.js');
      const day = (i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
      const labels = Array.from({ length: 120 }, (_, i) => day(i) + ' Chhatrapati Sambhajinagar CBSE');
      const values = (k) => labels.map((_, i) => (i * k) % 17);
      const series = ['requested', 'activated', 'failed'].map((name, k) => ({ name, values: values(k + 1) }));
      const chart = barChart({ id: 'chart-many', title: 'many periods', labels, series });
      document.getElementById('main').append(chart);
      const texts = [...chart.querySelectorAll('text.label')];
      const boxes = texts.map((t) => t.getBBox()).map((b) => ({ x: b.x, y: b.y, bottom: b.y + b.height }));
      const width = Number(chart.getAttribute('width'));
      return {
        labels: texts.length,
        overlaps: boxes.filter((b, i) => i > 0 && b.y < boxes[i - 1].bottom).length,
        clipped: boxes.filter((b) => b.x < 0).length,
        tooltips: texts.map((t) => t.querySelector('title').textContent),
        shown: texts.map((t) => t.firstChild.textContent),
        bars: chart.querySelectorAll('rect[data-series]').length,
        widest: Math.max(...[...chart.querySelectorAll('rect[data-series]')].map((r) => r.getBBox().x + r.getBBox().width)),
        width,
        last: labels[119],
      };
    })()`);
    const r = result as Record<string, any>;
    expect(r).toMatchObject({ labels: 120, overlaps: 0, clipped: 0, bars: 360 });
    expect(r.widest).toBeLessThanOrEqual(r.width);
    expect(r.tooltips[119]).toBe(
      `${r.last}: requested ${(119 * 1) % 17}, activated ${(119 * 2) % 17}, failed ${(119 * 3) % 17}`,
    );
    expect(r.shown[119].length).toBeLessThan(r.last.length); // cut with an ellipsis; the tooltip has it whole
    expect(r.shown[119]).toMatch(/…$/);
    await page.locator('#chart-many').screenshot({ path: `${SHOTS}chart-many-periods.png` });
    expect(violations).toEqual([]);
  });

  /** The API requests the page makes from now on whose path matches `pattern`, with their If-None-Match. */
  const watchRequests = (pattern: RegExp) => watchRequestsOf(page, pattern);
  const watchRequestsOf = (target: Page, pattern: RegExp) => {
    const seen: { url: string; at: number; ifNoneMatch?: string }[] = [];
    const listener = (request: Request) => {
      const url = new URL(request.url());
      if (pattern.test(url.pathname + url.search))
        seen.push({ url: url.pathname + url.search, at: Date.now(), ifNoneMatch: request.headers()['if-none-match'] });
    };
    target.on('request', listener);
    return { seen, stop: () => target.off('request', listener) };
  };

  it('stops a page’s requests when the operator leaves it, even with one in flight (defect 2)', async () => {
    await page.goto(`${scs.url}/console#/webhooks`);
    await page.waitForSelector('#webhooks-list');
    // Every GET /schools answers 1.5 s late: the list's first request is still in flight when the operator leaves.
    await page.route(/\/schools\?/, async (route) => {
      await sleep(1500);
      await route.continue().catch(() => undefined); // aborted by the page meanwhile
    });
    try {
      const requests = watchRequests(/^\/schools\?/);
      await page.goto(`${scs.url}/console#/schools`);
      await sleep(300);
      expect(requests.seen.length).toBeGreaterThan(0);
      await page.goto(`${scs.url}/console#/new`);
      const left = Date.now();
      await page.waitForSelector('#new-school');
      await sleep(4000); // the old code polled again a second after the late answer
      requests.stop();
      expect(requests.seen.filter((r) => r.at > left + 100)).toEqual([]);
    } finally {
      await page.unroute(/\/schools\?/);
    }
  }, 30_000);

  it('shows the school navigated to, not a late answer about the one before (defect 3)', async () => {
    // Another school with a name of its own (the retry has its failed school's name).
    const json = { ...schoolBody(), name: 'Late Answer Academy' };
    const other = (await scs.request('/school', { method: 'POST', json })).body;
    const second = (await scs.request(`/school/${retryId}`)).body;
    await page.goto(`${scs.url}/console#/schools`);
    await page.waitForSelector('#schools');
    const late = new RegExp(`/school/${other.id}(/history)?$`);
    await page.route(late, async (route) => {
      await sleep(1500);
      await route.continue().catch(() => undefined);
    });
    try {
      await page.goto(`${scs.url}/console#/school/${other.id}`);
      await sleep(300);
      await page.goto(`${scs.url}/console#/school/${retryId}`);
      await page.waitForSelector(`#school-name:text-is(${JSON.stringify(second.name)})`);
      await sleep(2500); // the first school's answers have arrived by now (or been dropped)
      expect(await page.textContent('#school-name')).toBe(second.name);
      expect(await page.$$(`#retry-of a[href="#/school/${failedId}"]`)).toHaveLength(1);
    } finally {
      await page.unroute(late);
    }
  }, 30_000);

  it('keeps focus and what is typed across polls, which send If-None-Match (defect 4)', async () => {
    await page.goto(`${scs.url}/console#/schools`);
    await page.waitForSelector('#schools');
    const requests = watchRequests(/^\/schools\?/);
    const created = (await scs.request('/school', { method: 'POST', json: schoolBody() })).body;
    const link = `#schools tr[data-id="${created.id}"] a`;
    await page.waitForSelector(link);
    await page.focus(link);
    // Its row changes under the focus (provisioning, then active) while the page polls.
    await page.waitForSelector(`#schools tr[data-id="${created.id}"] [data-status=active]`, { timeout: 30_000 });
    const count = requests.seen.length;
    while (requests.seen.length < count + 2) await sleep(200);
    await sleep(300);
    requests.stop();
    expect(await page.$eval(':focus', (e) => e.getAttribute('href'))).toBe(`#/school/${created.id}`);
    // Polls ask whether the answer changed; an unchanged one is a 304 the page does not redraw from.
    expect(requests.seen.some((r) => r.ifNoneMatch)).toBe(true);

    // On a school's page: the slug being typed into Delete survives the polls.
    const school = watchRequests(new RegExp(`^/school/${created.id}$`));
    await page.goto(`${scs.url}/console#/school/${created.id}`);
    await page.waitForSelector('#confirm-slug');
    await page.focus('#confirm-slug');
    await page.keyboard.type('half-typ');
    const before = school.seen.length;
    while (school.seen.length < before + 2) await sleep(200);
    await sleep(300);
    school.stop();
    expect(await page.inputValue('#confirm-slug')).toBe('half-typ');
    expect(await page.$eval(':focus', (e) => e.id)).toBe('confirm-slug');
  }, 60_000);

  it('shows a running undo as running, on the same axis as the steps (defect 8)', async () => {
    const result = await page.evaluate(`(async () => {
      const { timeline } = await import('/console/timeline.js');
      const t = (s) => new Date(Date.now() - 10000 + s * 1000).toISOString();
      const step = (name, status, a, b, attempts = 1) => ({ name, status, attempts, startedAt: a, finishedAt: b, error: null });
      const school = {
        status: 'rolling_back', createdAt: t(0), updatedAt: t(5),
        steps: [step('reserve_slug', 'undone', t(0), t(0)), step('create_database', 'undone', t(1), t(2)), step('create_dns', 'failed', t(3), t(4), 2)],
        compensations: [step('drop_database', 'succeeded', t(5), t(6))],
      };
      const events = [
        { type: 'StepAttemptFailed', time: t(3), data: { step: 'create_dns', attempt: 1, error: 'x', startedAt: t(2), finishedAt: t(2.5), retryAt: t(3) } },
        { type: 'RollbackStarted', time: t(4), data: {} },
      ];
      const box = timeline(school, events);
      return {
        title: box.querySelector('#undo-title').textContent,
        undo: [...box.querySelectorAll('#compensations li')].map((li) => li.dataset.step),
        running: box.querySelectorAll('#compensations .seg-running').length,
        dns: [...box.querySelectorAll('#timeline li[data-step=create_dns] rect.seg')].map((r) => r.dataset.kind),
      };
    })()`);
    expect(result).toEqual({
      title: 'Rollback',
      undo: ['drop_database', 'undoing…'],
      running: 1,
      dns: ['failed', 'backoff', 'failed'],
    });
  });

  it('reads live updates from GET /events/stream when the API has it, and resumes with Last-Event-ID', async () => {
    // The stream is not on this branch: the route answers for it, as the contract says (one event, then it ends).
    const viewer = await chromium.browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await viewer.newPage();
    const streams: Record<string, string>[] = [];
    const event = { type: 'school.provisioned', subject: retryId, id: 'e-1', data: {} };
    await tab.route(/\/events\/stream\?/, (route) => {
      streams.push({ ...route.request().headers(), url: route.request().url() });
      return route.fulfill({
        status: 200,
        contentType: 'text/event-stream',
        body: `id: 7\nevent: school.provisioned\ndata: ${JSON.stringify(event)}\n\n`,
      });
    });
    const schools = watchRequestsOf(tab, /^\/schools\?/);
    await tab.goto(`${scs.url}/console`);
    await tab.fill('#sign-in input[name=key]', API_KEY);
    await tab.click('#sign-in button[type=submit]');
    await tab.waitForSelector('#schools');
    while (streams.length < 2) await sleep(200); // it ended: the page connects again after 2 s
    await viewer.close();
    expect(new URL(streams[0].url).searchParams.get('types')).toContain('school.provisioned');
    expect(streams[0]['x-scs-key']).toBe(API_KEY);
    expect(streams[0]['last-event-id']).toBeUndefined();
    expect(streams[1]['last-event-id']).toBe('7');
    expect(schools.seen.length).toBeGreaterThan(1);
  }, 30_000);

  it('shows not-found and empty states in words (defect 7)', async () => {
    await page.goto(`${scs.url}/console#/school/00000000-0000-4000-8000-000000000000`);
    await page.waitForSelector('#not-found');
    expect(await page.textContent('h1')).toBe('School not found');
    await page.goto(`${scs.url}/console#/no-such-page`);
    await page.waitForSelector('#not-found');
    expect(await page.textContent('h1')).toBe('Not found');
    await page.goto(`${scs.url}/console#/schools?district=Nowhere`);
    await page.waitForSelector('#list .empty');
    expect(await page.textContent('#main')).not.toMatch(/0–0 of 0/);
    expect(await page.$$('#schools')).toHaveLength(0);
  });

  /** What axe-core finds serious or critical on the page as it is now. */
  const axe = async (target: Page) => {
    if (!(await target.evaluate('typeof axe !== "undefined"'))) await target.evaluate(AXE);
    const found = (await target.evaluate(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')))`,
    )) as string[];
    return found;
  };

  it('passes axe-core on every page at 1,440 and 390 px, light and dark, without sideways scroll (defects 5, 9)', async () => {
    const pages: [string, string][] = [
      ['#/schools', '#schools'],
      ['#/schools?status=nothing-matches', '#list .empty, #list .problem'],
      ['#/new', '#new-school'],
      [`#/school/${retryId}`, '#timeline'],
      [`#/school/${failedId}`, '#retried-as'],
      [`#/school/${deletedId}`, '#undo-title'],
      ['#/school/00000000-0000-4000-8000-000000000000', '#not-found'],
      ['#/reports', '#tiles'],
      ['#/audit', '#audit'],
      ['#/webhooks', '#webhooks-list .empty'],
      ['#/me', '#me:not(:text-is("loading…"))'],
      ['#/nowhere', '#not-found'],
    ];
    const found: string[] = [];
    for (const [width, colorScheme] of [
      [1440, 'light'],
      [390, 'light'],
      [390, 'dark'],
    ] as const) {
      const viewer = await chromium.browser!.newContext({ viewport: { width, height: 900 }, colorScheme });
      const tab = await viewer.newPage();
      await tab.goto(`${scs.url}/console`);
      found.push(...(await axe(tab)).map((v) => `${width} ${colorScheme} sign-in ${v}`));
      await tab.fill('#sign-in input[name=key]', API_KEY);
      await tab.click('#sign-in button[type=submit]');
      await tab.waitForSelector('#schools');
      // Dark mode changes colours only: its contrast is checked on the pages that use each colour.
      const dark = ['#/schools', `#/school/${failedId}`, `#/school/${deletedId}`, '#/reports', '#/nowhere'];
      for (const [hash, ready] of pages.filter(([hash]) => colorScheme === 'light' || dark.includes(hash))) {
        await tab.goto(`${scs.url}/console${hash}`);
        await tab.waitForSelector(ready);
        await sleep(150); // what follows the first answer (the chips' counts, the retry's link)
        const where = `${width} ${colorScheme} ${hash}`;
        const [scrollWidth, innerWidth, focused] = (await tab.evaluate(
          '[document.documentElement.scrollWidth, innerWidth, document.activeElement.tagName]',
        )) as [number, number, string];
        if (scrollWidth > innerWidth) found.push(`${where}: ${scrollWidth} px wide in ${innerWidth}`);
        if (focused !== 'H1') found.push(`${where}: focus on ${focused}, not the heading`);
        found.push(...(await axe(tab)).map((v) => `${where} ${v}`));
        const named = hash.replace(retryId, ':active').replace(failedId, ':failed').replace(deletedId, ':deleted');
        const shot = SHOT_OF[`${width} ${colorScheme} ${named}`];
        if (shot) await tab.screenshot({ path: `${SHOTS}${shot}`, fullPage: true });
      }
      await viewer.close();
    }
    expect(found).toEqual([]);
  }, 240_000);

  it('offers only what the key may do: a reader sees no New school, Delete or Retry', async () => {
    await page.goto(`${scs.url}/console#/signin`);
    await page.fill('#sign-in input[name=key]', READER);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#schools');
    expect(await page.evaluate("JSON.parse(sessionStorage.getItem('scs-scopes'))")).toEqual([
      'schools:read',
      'reports:read',
    ]);
    expect(await page.isVisible('#nav a[href="#/new"]')).toBe(false);
    expect(await page.isVisible('#nav a[href="#/reports"]')).toBe(true);
    await page.goto(`${scs.url}/console#/school/${failedId}`);
    await page.waitForSelector('#main .status[data-status=failed]');
    await page.waitForSelector('#history table, #main table');
    expect(await page.$$('#delete, #retry')).toHaveLength(0);
    await page.click('#sign-out');
    expect(await page.evaluate("sessionStorage.getItem('scs-scopes')")).toBeNull();
  }, 60_000);
});
