// The SCS operator console: a client of the public API only. The key lives in sessionStorage and goes
// out as X-SCS-Key; every value from the API is put in the page as text (textContent), never as HTML.
import { reportsPage } from './reports.js';
import { api, can, el, forgetScopes, KEY, problemLine, rememberScopes, seconds, show, statusCell, time } from './ui.js';

const TERMINAL = new Set(['active', 'failed', 'deleted']);
let timer;

/**
 * Polls `load` every second while `busy` says work is in flight or the answer changed, backing off
 * (doubling up to 8 s) while it stays the same; `forever` keeps polling when nothing is in flight.
 */
function poll(load, busy, forever = false) {
  let delay = 1000;
  let last = '';
  const tick = async () => {
    const data = await load().catch(() => undefined);
    const seen = JSON.stringify(data);
    const inFlight = data !== undefined && busy(data);
    delay = seen !== last || inFlight ? 1000 : Math.min(delay * 2, 8000);
    last = seen;
    if (inFlight || forever) timer = setTimeout(tick, delay);
  };
  void tick();
}

function signIn() {
  const input = el('input', { type: 'password', name: 'key', autocomplete: 'off', required: true });
  const message = el('div');
  const form = el(
    'form',
    {
      id: 'sign-in',
      onsubmit: async (event) => {
        event.preventDefault();
        sessionStorage.setItem(KEY, input.value);
        try {
          // GET /me: any valid key answers, with its scopes; the pages offer only what those allow.
          const me = await api('/me', { signingIn: true });
          rememberScopes(me.scopes);
          location.hash = can('schools:read') ? '#/schools' : can('reports:read') ? '#/reports' : '#/me';
        } catch (error) {
          sessionStorage.removeItem(KEY);
          message.replaceChildren(problemLine(error));
        }
      },
    },
    el('label', {}, 'API key ', input),
    ' ',
    el('button', { type: 'submit' }, 'Sign in'),
    message,
  );
  show(el('h1', {}, 'Sign in'), form);
}

function schoolsPage(params) {
  const query = new URLSearchParams(params);
  const limit = Number(query.get('limit') ?? 20);
  const offset = Number(query.get('offset') ?? 0);
  const filter = (name, options) =>
    options
      ? el('select', { name }, el('option', { value: '' }, 'any'), ...options.map((o) => el('option', { value: o }, o)))
      : el('input', { name, size: 10 });
  const fields = {
    status: filter('status', [
      'provisioning',
      'active',
      'suspending',
      'suspended',
      'resuming',
      'rolling_back',
      'failed',
      'deprovisioning',
      'deleted',
    ]),
    district: filter('district'),
    board: filter('board'),
    schemaVersion: filter('schemaVersion'),
  };
  for (const [name, input] of Object.entries(fields)) input.value = query.get(name) ?? '';
  const go = (newOffset) => {
    const next = new URLSearchParams({ limit: String(limit), offset: String(Math.max(0, newOffset)) });
    for (const [name, input] of Object.entries(fields)) if (input.value) next.set(name, input.value);
    location.hash = `#/schools?${next}`;
  };
  const filters = el(
    'form',
    { id: 'filters', onsubmit: (e) => (e.preventDefault(), go(0)) },
    ...Object.entries(fields).map(([name, input]) => el('label', {}, `${name} `, input, ' ')),
    el('button', { type: 'submit' }, 'Filter'),
  );
  const table = el('div');
  show(el('h1', {}, 'Schools'), filters, table);
  const apiQuery = new URLSearchParams({ limit: String(limit), offset: String(offset) });
  for (const [name, input] of Object.entries(fields)) if (input.value) apiQuery.set(name, input.value);
  const render = (page) => {
    const rows = page.items.map((s) => {
      const active =
        s.status === 'active'
          ? s.steps
              .map((st) => st.finishedAt)
              .filter(Boolean)
              .sort()
              .pop()
          : null;
      return el(
        'tr',
        { 'data-id': s.id },
        el('td', {}, el('a', { href: `#/school/${s.id}` }, s.name)),
        el('td', {}, s.slug),
        el('td', {}, statusCell(s.status)),
        el('td', {}, s.district),
        el('td', {}, s.board),
        el('td', {}, s.schemaVersion ?? ''),
        el('td', {}, time(s.createdAt)),
        el('td', {}, seconds(s.createdAt, active)),
      );
    });
    const head = ['name', 'slug', 'status', 'district', 'board', 'schema', 'created', 'POST→active'];
    table.replaceChildren(
      el('table', { id: 'schools' }, el('tr', {}, ...head.map((h) => el('th', {}, h))), ...rows),
      el(
        'p',
        {},
        `${page.total === 0 ? 0 : offset + 1}–${offset + page.items.length} of ${page.total} `,
        el('button', { type: 'button', disabled: offset === 0, onclick: () => go(offset - limit) }, 'Previous'),
        ' ',
        el(
          'button',
          { type: 'button', disabled: offset + limit >= page.total, onclick: () => go(offset + limit) },
          'Next',
        ),
      ),
    );
  };
  poll(
    () =>
      api(`/schools?${apiQuery}`).then(
        (page) => (render(page), page),
        (error) => void table.replaceChildren(problemLine(error)),
      ),
    (page) => page.items.some((s) => !TERMINAL.has(s.status)),
    true,
  );
}

function stepItem(step, compensation) {
  return el(
    'li',
    { class: compensation ? 'compensation' : 'step', 'data-step': step.name },
    el('strong', {}, step.name),
    ' ',
    el('span', { class: `step-${step.status}` }, step.status),
    el(
      'span',
      { class: 'muted' },
      ` · started ${time(step.startedAt) || '—'} · finished ${time(step.finishedAt) || '—'}`,
      ` · attempts ${step.attempts}${step.retryAt ? ` · retry at ${time(step.retryAt)}` : ''}`,
    ),
    step.error ? el('div', { class: 'problem' }, step.error) : null,
  );
}

function schoolView(school) {
  const facts = [
    ['status', statusCell(school.status)],
    ['slug', school.slug],
    ['subdomain', school.subdomain],
    ['district / board', `${school.district} / ${school.board}`],
    ['database', `${school.databaseName} on ${school.server ?? '—'} (schema ${school.schemaVersion ?? '—'})`],
    ['DNS', school.dns ? `${school.dns.name} ${school.dns.type} (${school.dns.provider})` : '—'],
    [
      'certificate',
      school.certificate ? `${school.certificate.issuer}, until ${time(school.certificate.notAfter)}` : '—',
    ],
    ['failure', school.failedStep ? `${school.failedStep}: ${school.failureReason ?? ''}` : null],
    ['warnings', school.warnings.length ? school.warnings.join('; ') : null],
  ].filter(([, value]) => value !== null);
  return el(
    'div',
    {},
    el('table', {}, ...facts.map(([name, value]) => el('tr', {}, el('th', {}, name), el('td', {}, value)))),
    el('h2', {}, 'Steps'),
    el('ol', { class: 'timeline', id: 'timeline' }, ...school.steps.map((s) => stepItem(s, false))),
    school.compensations.length ? el('h2', {}, 'Compensations') : null,
    el('ol', { class: 'timeline' }, ...school.compensations.map((s) => stepItem(s, true))),
  );
}

function historyTable(events) {
  const head = ['#', 'time', 'event', 'actor', 'correlation id', 'data'];
  return el(
    'table',
    { id: 'history' },
    el('tr', {}, ...head.map((h) => el('th', {}, h))),
    ...events.map((e) =>
      el(
        'tr',
        {},
        el('td', {}, e.revision),
        el('td', {}, time(e.time)),
        el('td', {}, e.type),
        el('td', {}, String(e.metadata.actor ?? '')),
        el('td', {}, String(e.metadata.correlationId ?? '')),
        el('td', {}, el('pre', {}, JSON.stringify(e.data))),
      ),
    ),
  );
}

/** A failed school's Retry: POST /school/:id/retry requests its details again as a new school, shown next. */
function retryLine(school) {
  const message = el('span');
  const button = el('button', { type: 'button', id: 'retry' }, 'Retry');
  button.addEventListener('click', async () => {
    button.disabled = true;
    message.textContent = ' requesting…';
    try {
      const retried = await api(`/school/${school.id}/retry`, { method: 'POST' });
      location.hash = `#/school/${retried.id}`;
    } catch (error) {
      button.disabled = false;
      message.replaceChildren(problemLine(error));
    }
  });
  return el('p', {}, `Retry: request ${school.slug} again as a new school with the same details `, button, message);
}

const retryOfLine = (id) =>
  el('p', { id: 'retry-of', class: 'muted' }, 'retry of failed school ', el('a', { href: `#/school/${id}` }, id));

function schoolPage(id) {
  const view = el('div');
  const history = el('div');
  const actions = el('div');
  const slider = el('div');
  const origin = el('div');
  show(el('h1', { id: 'school-name' }), origin, actions, view, el('h2', {}, 'History'), slider, history);
  let events = [];
  const renderSlider = () => {
    if (events.length < 2) return;
    const range = el('input', { type: 'range', id: 'as-of', min: 0, max: events.length - 1, value: events.length - 1 });
    const label = el('span', { class: 'muted' }, 'now');
    range.addEventListener('change', async () => {
      const at = events[Number(range.value)].time;
      label.textContent = `as of ${time(at)}`;
      const past = await api(`/school/${id}/history?asOf=${encodeURIComponent(at)}`);
      if (past.state) view.replaceChildren(schoolView(past.state));
    });
    slider.replaceChildren(el('label', {}, 'as of ', range, ' '), label);
  };
  const renderActions = (school) => {
    if (school.status === 'deleted' || school.status === 'deprovisioning') return actions.replaceChildren();
    if (!can('schools:delete'))
      return actions.replaceChildren(school.status === 'failed' && can('schools:write') ? retryLine(school) : null);
    const confirm = el('input', { id: 'confirm-slug', placeholder: 'type the slug', size: 16 });
    const message = el('span');
    const remove = async () => {
      if (confirm.value !== school.slug) return void (message.textContent = ' type the slug to confirm');
      try {
        await api(`/school/${id}`, { method: 'DELETE' });
        message.textContent = ' deleting…';
        load((s) => s.status !== 'deleted'); // the read model may still say active for a moment
      } catch (error) {
        message.replaceChildren(problemLine(error));
      }
    };
    actions.replaceChildren(
      school.status === 'failed' && can('schools:write') ? retryLine(school) : null,
      el(
        'p',
        {},
        'Delete: ',
        confirm,
        ' ',
        el('button', { type: 'button', id: 'delete', onclick: remove }, 'Delete'),
        message,
      ),
    );
  };
  const load = (busy = (school) => !TERMINAL.has(school.status)) =>
    poll(async () => {
      try {
        const [school, past] = await Promise.all([api(`/school/${id}`), api(`/school/${id}/history`)]);
        document.getElementById('school-name').textContent = school.name;
        view.replaceChildren(schoolView(school));
        const grew = past.events.length !== events.length;
        events = past.events;
        const retryOf = events[0]?.metadata.retryOf;
        if (typeof retryOf === 'string') origin.replaceChildren(retryOfLine(retryOf));
        history.replaceChildren(historyTable(events));
        if (grew) renderSlider();
        if (TERMINAL.has(school.status) || grew) renderActions(school);
        return school;
      } catch (error) {
        view.replaceChildren(problemLine(error));
        return undefined;
      }
    }, busy);
  load();
}

const FIELDS = ['name', 'slug', 'district', 'board', 'adminEmail', 'phone'];

function newSchoolPage() {
  const inputs = Object.fromEntries(FIELDS.map((f) => [f, el('input', { name: f, size: 32 })]));
  const errors = Object.fromEntries(FIELDS.map((f) => [f, el('span', { class: 'field-error', 'data-field': f })]));
  const message = el('div');
  const form = el(
    'form',
    {
      class: 'school',
      id: 'new-school',
      onsubmit: async (event) => {
        event.preventDefault();
        for (const span of Object.values(errors)) span.textContent = '';
        message.replaceChildren();
        const body = Object.fromEntries(FIELDS.map((f) => [f, inputs[f].value]));
        try {
          const school = await api('/school', { method: 'POST', body: JSON.stringify(body) });
          location.hash = `#/school/${school.id}`;
        } catch (error) {
          message.replaceChildren(problemLine(error));
          const fieldErrors = error.problem?.errors ?? (error.problem?.field ? [{ field: error.problem.field }] : []);
          for (const e of fieldErrors) if (errors[e.field]) errors[e.field].textContent = e.message ?? error.message;
        }
      },
    },
    ...FIELDS.map((f) => el('label', {}, el('span', { class: 'name' }, f), inputs[f], errors[f])),
    el('button', { type: 'submit' }, 'Create'),
    message,
  );
  show(el('h1', {}, 'New school'), form);
}

/** For a key that may read neither schools nor reports: who it is and what it may do. */
async function mePage() {
  const me = await api('/me');
  show(el('h1', {}, 'This key'), el('p', { id: 'me' }, `${me.id}: ${me.scopes.join(', ') || 'no scopes'}`));
}

function route() {
  clearTimeout(timer);
  timer = undefined;
  const signedIn = sessionStorage.getItem(KEY) !== null;
  document.getElementById('nav').hidden = !signedIn;
  for (const [href, scope] of [
    ['#/schools', 'schools:read'],
    ['#/new', 'schools:write'],
    ['#/reports', 'reports:read'],
  ])
    document.querySelector(`#nav a[href="${href}"]`).hidden = !can(scope);
  const [path, params = ''] = location.hash.slice(1).split('?');
  if (!signedIn || path === '/signin') return signIn();
  if (path === '/me') return void mePage();
  const school = /^\/school\/([0-9a-f-]{36})$/.exec(path);
  if (school) return schoolPage(school[1]);
  if (path === '/new') return newSchoolPage();
  if (path === '/reports') return void reportsPage(params);
  return schoolsPage(params);
}

document.getElementById('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  forgetScopes();
  location.hash = '#/signin';
});
window.addEventListener('hashchange', route);
route();
