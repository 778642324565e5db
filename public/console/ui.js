// What every page of the console shares: elements built as text (never HTML), the API client, formats.

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

/** An element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Calls the API with the key from sessionStorage; a problem answer is thrown as an ApiError. */
export async function api(path, init = {}) {
  const headers = { 'X-SCS-Key': sessionStorage.getItem(KEY) ?? '', Accept: 'application/json' };
  if (init.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { ...init, headers });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401 && !init.signingIn) {
      sessionStorage.removeItem(KEY);
      location.hash = '#/signin';
    }
    throw new ApiError(res.status, body);
  }
  return body;
}

export const time = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) : '');
export const seconds = (from, to) => (from && to ? ((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1) + ' s' : '');
export const statusCell = (status) => el('span', { class: `status status-${status}`, 'data-status': status }, status);
export const problemLine = (error) => el('p', { class: 'problem', role: 'alert' }, error.message);

export function show(...children) {
  main.replaceChildren(...children);
}
