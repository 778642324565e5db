// The SCS operator console: a client of the public API only. The key lives in sessionStorage and goes
// out as X-SCS-Key; every value from the API is put in the page as text (textContent), never as HTML.
// Each page gets a Life (live.js): leaving the page aborts its requests and timers.
import { auditPage } from './audit.js';
import { Life } from './live.js';
import { reportsPage } from './reports.js';
import { schoolPage } from './school.js';
import { schoolsPage } from './schools.js';
import { api, can, el, forgetScopes, KEY, notFound, problemLine, rememberScopes, show } from './ui.js';
import { webhooksPage } from './webhooks.js';

function signIn() {
  const input = el('input', { type: 'password', name: 'key', id: 'key', autocomplete: 'off', required: true });
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
    el('label', { for: 'key' }, 'API key'),
    ' ',
    input,
    ' ',
    el('button', { type: 'submit' }, 'Sign in'),
    message,
  );
  show(el('h1', {}, 'Sign in'), form);
}

const FIELDS = ['name', 'slug', 'district', 'board', 'adminEmail', 'phone'];

function newSchoolPage() {
  const inputs = Object.fromEntries(FIELDS.map((f) => [f, el('input', { name: f, id: `f-${f}` })]));
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
    ...FIELDS.map((f) => el('div', { class: 'field' }, el('label', { for: `f-${f}` }, f), inputs[f], errors[f])),
    el('button', { type: 'submit' }, 'Create'),
    message,
  );
  show(el('h1', {}, 'New school'), form);
}

/** For a key that may read neither schools nor reports: who it is and what it may do. */
async function mePage(life) {
  show(el('h1', {}, 'This key'), el('p', { id: 'me', class: 'muted' }, 'loading…'));
  try {
    const me = await api('/me', { signal: life.signal });
    document.getElementById('me').replaceChildren(`${me.id}: ${me.scopes.join(', ') || 'no scopes'}`);
  } catch (error) {
    if (!life.stopped) document.getElementById('me').replaceChildren(problemLine(error));
  }
}

const NAV = [
  ['#/schools', 'schools:read'],
  ['#/new', 'schools:write'],
  ['#/reports', 'reports:read'],
  ['#/audit', 'audit:read'],
  ['#/webhooks', 'webhooks:manage'],
];

let life = new Life();

function route() {
  life.stop();
  life = new Life();
  const signedIn = sessionStorage.getItem(KEY) !== null;
  document.getElementById('nav').hidden = !signedIn;
  const [path, params = ''] = location.hash.slice(1).split('?');
  for (const [href, scope] of NAV) {
    const link = document.querySelector(`#nav a[href="${href}"]`);
    link.hidden = !can(scope);
    if (path.startsWith(href.slice(1))) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!signedIn || path === '/signin') return signIn();
  const school = /^\/school\/([^/]+)$/.exec(path);
  if (school) return schoolPage(life, decodeURIComponent(school[1]), params);
  const pages = {
    '': schoolsPage,
    '/': schoolsPage,
    '/schools': schoolsPage,
    '/new': newSchoolPage,
    '/reports': reportsPage,
    '/audit': auditPage,
    '/webhooks': webhooksPage,
    '/me': mePage,
  };
  const page = pages[path];
  if (!page) return notFound(`The console has no page at ${path}.`);
  return void page(life, params);
}

document.getElementById('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  forgetScopes();
  location.hash = '#/signin';
});
window.addEventListener('hashchange', route);
route();
