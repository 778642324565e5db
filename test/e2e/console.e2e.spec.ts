import { mkdirSync, mkdtempSync } from 'node:fs';
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
const chromium = await launchChromium();

/**
 * The operator console in Debian's Chromium: sign in, create a school and watch its timeline reach
 * active, read its history, delete it; field errors; a hostile name shown as text; the reports' charts
 * against the API. Each page is photographed (into docs/console/ with SCS_UPDATE_SCREENSHOTS=1).
 */
chromium.describe('operator console in Chromium', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const violations: string[] = [];

  let failedId: string;
  /** A key that may read schools and reports, and do nothing else. */
  const READER = 'reader-secret-0123456789';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    central = await freshDatabase('scs_console');
    // A school that failed for good at create_dns (for Retry); then the service without that fault.
    const faulty = await startScs({ databaseUrl: central.url, env: { SCS_FAULTS: 'create_dns:fail' } });
    failedId = (await faulty.request('/school', { method: 'POST', json: schoolBody() })).body.id;
    await waitForStatus(faulty, failedId, ['failed']);
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
  }, 90_000);
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
    expect(sizes.length).toBeGreaterThanOrEqual(6); // page, stylesheet, app, ui, reports and charts modules
    expect(bytes).toBeLessThan(300 * 1024);
    await page.screenshot({ path: `${SHOTS}sign-in.png` });
  });

  it('shows the API problem for a wrong key and keeps no key', async () => {
    await signIn('not-the-key-0123456789');
    await expect(page.textContent('#sign-in .problem')).resolves.toMatch(/key/i);
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
    await page.waitForSelector('#filters + div > *');
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

    // As of the first event: the slider folds the stream up to then.
    await page.$eval('#as-of', (input) => {
      (input as unknown as { value: string }).value = '0';
      input.dispatchEvent(new (globalThis as any).Event('change'));
    });
    await page.waitForSelector('[data-status=provisioning]');

    await page.fill('#confirm-slug', 'wrong-slug');
    await page.click('#delete');
    expect((await scs.request(`/school/${id}`)).body.status).toBe('active');
    await page.fill('#confirm-slug', body.slug);
    await page.click('#delete');
    await page.waitForSelector('[data-status=deleted]', { timeout: 30_000 });

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
    const ran = steps.lines.filter((l: any) => l.runs > 0);
    expect(await bars('chart-steps', 'p50Ms')).toEqual(ran.map((l: any) => l.p50Ms));
    expect(await bars('chart-steps', 'p95Ms')).toEqual(ran.map((l: any) => l.p95Ms));
    const active = fleet.byStatus
      .filter((c: any) => c.status === 'active')
      .reduce((n: number, c: any) => n + c.count, 0);
    expect(await page.textContent('#fleet tr:has(th:text-is("active")) td')).toBe(String(active));
    expect(await page.$$('#projections tr')).not.toHaveLength(1);
    await page.screenshot({ path: `${SHOTS}reports.png`, fullPage: true });
  }, 90_000);

  /** The request a chart was drawn from, as the page shows it under the chart. */
  const queryOf = (chart: string) =>
    page.textContent(`.chart:has(#${chart}) .query`).then((t) => t!.replace('GET ', ''));
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
    await page.waitForSelector(`.chart:has(#chart-steps) .query:text-is("GET /reports/steps?to=${today}")`);
    const stepsPath = await queryOf('chart-steps');
    expect(stepsPath).toBe(`/reports/steps?to=${today}`);
    const steps = (await scs.request(stepsPath)).body;
    const ran = steps.lines.filter((l: any) => l.runs > 0);
    expect(await drawn('chart-steps', 'p95Ms')).toEqual(ran.map((l: any) => l.p95Ms));
    expect(ran).toEqual([]);

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
