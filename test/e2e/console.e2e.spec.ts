import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { freshDatabase } from '../support/databases.js';
import { API_KEY, schoolBody, startScs, waitForStatus, type ScsProcess } from '../support/scs-process.js';

const SHOTS = fileURLToPath(new URL('../../../docs/console/', import.meta.url));
const HOSTILE = '<img src=x onerror=alert(1)>';
const chromium = await launchChromium();

/**
 * The operator console in Debian's Chromium: sign in, create a school and watch its timeline reach
 * active, read its history, delete it; field errors; a hostile name shown as text; the reports' charts
 * against the API. Each page is photographed into docs/console/.
 */
chromium.describe('operator console in Chromium', () => {
  let central: Awaited<ReturnType<typeof freshDatabase>>;
  let scs: ScsProcess;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const violations: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    central = await freshDatabase('scs_console');
    scs = await startScs({ databaseUrl: central.url, env: { SCS_FAULTS: 'create_dns:flaky:1' } });
    context = await chromium.browser!.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('dialog', (dialog) => void (dialogs.push(dialog.message()), dialog.dismiss()));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
  }, 60_000);
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
    page.on('requestfinished', (request) => {
      void request.sizes().then((s) => sizes.push(s.responseBodySize + s.responseHeadersSize));
    });
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
    const bytes = sizes.reduce((a, b) => a + b, 0);
    console.log(`console first load: ${sizes.length} requests, ${bytes} bytes transferred`);
    expect(sizes.length).toBeGreaterThanOrEqual(4); // page, script, charts module, stylesheet
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
    await page.waitForFunction(`document.querySelectorAll('#history tr').length === ${history.length + 1}`);
    const rows = await page.$$eval('#history tr', (trs) => trs.slice(1).map((tr) => tr.children[2].textContent));
    expect(rows).toEqual(history.map((e: any) => e.type));
    const correlation = await page.$$eval('#history tr', (trs) => trs[1].children[4].textContent);
    expect(correlation).toBe(history[0].metadata.correlationId);
    await page.screenshot({ path: `${SHOTS}school.png`, fullPage: true });

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
    for (let i = 0; i < 2; i++) more.push((await scs.request('/school', { method: 'POST', json: schoolBody() })).body);
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
    expect(onboarding.lines.reduce((n: number, l: any) => n + l.requested, 0)).toBe(4);
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
});
