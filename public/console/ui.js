// What every page of the console shares: elements built as text (never HTML), the API client, formats,
// and `morph`, which brings the page in line with a freshly built tree by changing only what differs.

export const KEY = 'scs-key';
const SCOPES = 'scs-scopes';

/** Keeps what GET /me says the key may do, for `can`. */
export const rememberScopes = (scopes) => sessionStorage.setItem(SCOPES, JSON.stringify(scopes));
export const forgetScopes = () => sessionStorage.removeItem(SCOPES);

/** Whether the signed-in key has `scope` (GET /me at sign-in); the API refuses with 403 what it lacks anyway. */
export function can(scope) {
  const kept = sessionStorage.getItem(SCOPES);
  return kept === null || JSON.parse(kept).includes(scope);
}
const main = document.getElementById('main');

/**
 * An element with attributes and children (strings become text nodes). Handlers (`onclick`, …) are set as
 * properties, so that `morph` can hand the newest ones to the element it keeps.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node[name] = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

const HANDLERS = ['onclick', 'onsubmit', 'onchange', 'oninput', 'ontoggle'];
const keyOf = (node) => (node.nodeType === 1 ? node.getAttribute('data-key') : null);

/**
 * Makes `from` look like `to` and returns the node that stays (`from`, or `to` when they are not the same
 * kind of node). Children are matched by their `data-key` (rows) or else by position, so an element that
 * is focused, selected or being typed into stays the same element; only text and attributes that changed
 * are written. An element marked `data-keep` keeps its children (what the operator opened or typed).
 */
export function morph(from, to) {
  if (from.nodeType !== to.nodeType || from.nodeName !== to.nodeName || keyOf(from) !== keyOf(to)) return to;
  if (from.nodeType !== 1) {
    if (from.nodeValue !== to.nodeValue) from.nodeValue = to.nodeValue;
    return from;
  }
  for (const { name } of [...from.attributes])
    if (!to.hasAttribute(name) && name !== 'open' && name !== 'tabindex') from.removeAttribute(name);
  for (const { name, value } of [...to.attributes])
    if (from.getAttribute(name) !== value) from.setAttribute(name, value);
  for (const handler of HANDLERS) if (from[handler] !== to[handler]) from[handler] = to[handler];
  if (!from.hasAttribute('data-keep')) morphChildren(from, to);
  return from;
}

function morphChildren(from, to) {
  const byKey = new Map();
  for (const child of from.children) if (keyOf(child) !== null) byKey.set(keyOf(child), child);
  let cursor = from.firstChild;
  for (const next of [...to.childNodes]) {
    const key = keyOf(next);
    const match = key !== null ? byKey.get(key) : cursor && keyOf(cursor) === null ? cursor : undefined;
    if (key !== null) byKey.delete(key);
    if (match && match === cursor) cursor = cursor.nextSibling;
    const node = match ? morph(match, next) : next;
    if (match && node !== match) match.remove();
    if (node.parentNode !== from || node.nextSibling !== cursor) from.insertBefore(node, cursor);
  }
  while (cursor) {
    const after = cursor.nextSibling;
    cursor.remove();
    cursor = after;
  }
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(
      status === 401
        ? 'This key was refused: check it (or ask for a new one) and sign in again.'
        : problem.detail || problem.title || `HTTP ${status}`,
    );
    this.status = status;
    this.problem = problem;
  }
}

export const headersOf = (init) => {
  const headers = { 'X-SCS-Key': sessionStorage.getItem(KEY) ?? '', Accept: 'application/json', ...init.headers };
  if (init.body) headers['Content-Type'] = 'application/json';
  return headers;
};

/** Calls the API with the key from sessionStorage; a problem answer is thrown as an ApiError. */
export async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: headersOf(init) });
  const body = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401 && !init.signingIn) {
      sessionStorage.removeItem(KEY);
      location.hash = '#/signin';
    }
    throw new ApiError(res.status, body);
  }
  if (init.withEtag) return { body, etag: res.headers.get('ETag') };
  return body;
}

const answers = new Map(); // path → { etag, body }: what a poll sends back as If-None-Match

/** GET with If-None-Match: the kept answer when the API says 304 (the same object, so nothing is redrawn). */
export async function fresh(path, signal) {
  const kept = answers.get(path);
  const headers = kept?.etag ? { 'If-None-Match': kept.etag } : {};
  const res = await fetch(path, { signal, headers: headersOf({ headers }), cache: 'no-store' });
  if (res.status === 304 && kept) return kept.body;
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401) {
      sessionStorage.removeItem(KEY);
      location.hash = '#/signin';
    }
    throw new ApiError(res.status, body);
  }
  if (answers.size > 50) answers.delete(answers.keys().next().value);
  answers.set(path, { etag: res.headers.get('ETag'), body });
  return body;
}

/** The ETag of the last answer `fresh` kept for `path` (If-Match for a change). */
export const etagOf = (path) => answers.get(path)?.etag;

export const time = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '');
export const seconds = (from, to) => (from && to ? ((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1) + ' s' : '');

/** "3 min ago", with the exact UTC time on hover and for assistive technology. */
export function ago(iso) {
  if (!iso) return '—';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  const text =
    s < 45
      ? 'just now'
      : s < 5400
        ? `${Math.max(1, Math.round(s / 60))} min ago`
        : s < 129600
          ? `${Math.round(s / 3600)} h ago`
          : `${Math.round(s / 86400)} d ago`;
  return el('time', { datetime: iso, title: `${time(iso)} UTC` }, text);
}

export const statusCell = (status) => el('span', { class: `status status-${status}`, 'data-status': status }, status);
export const problemLine = (error) => el('p', { class: 'problem', role: 'alert' }, error.message);
export const empty = (text) => el('p', { class: 'empty' }, text);
export const scroller = (label, child) =>
  el('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': label }, child);

/** A new page: its content replaces the last one's and focus moves to its heading (for keyboards and readers). */
export function show(...children) {
  main.replaceChildren(...children);
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

/** Not found: an address the console does not know, or a school no one has. */
export function notFound(what) {
  show(
    el('h1', {}, 'Not found'),
    el('p', { id: 'not-found' }, what),
    el('p', {}, el('a', { href: '#/schools' }, 'Back to the schools')),
  );
}
