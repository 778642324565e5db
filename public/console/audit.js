// The audit log (GET /audit/events): every event in store order, filtered by time, actor, type or school,
// paged with the API's cursor (kept in the address, so Back returns to a page), exported as NDJSON.
import { ago, el, empty, fresh, headersOf, morph, problemLine, scroller, show } from './ui.js';

const FILTERS = [
  ['from', 'from (UTC)', 'date'],
  ['to', 'to (UTC, excluded)', 'date'],
  ['actor', 'actor', 'text'],
  ['type', 'event type', 'text'],
  ['schoolId', 'school id', 'text'],
];

/** The API's query for the page's parameters: dates become the start of their UTC day. */
function apiQuery(params) {
  const query = new URLSearchParams();
  for (const [name, , type] of FILTERS) {
    const value = params.get(name);
    if (value) query.set(name, type === 'date' ? `${value}T00:00:00Z` : value);
  }
  return query;
}

function table(events) {
  const head = ['time', 'event', 'school', 'actor', 'data'];
  return scroller(
    'audit events',
    el(
      'table',
      { id: 'audit' },
      el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h))),
      ...events.map((e) => {
        const school = e.streamId.startsWith('school-') ? e.streamId.slice('school-'.length) : null;
        return el(
          'tr',
          { 'data-key': e.position },
          el('td', {}, ago(e.time)),
          el('td', {}, e.type),
          el('td', {}, school ? el('a', { href: `#/school/${school}` }, school.slice(0, 8)) : e.streamId),
          el('td', {}, String(e.metadata.actor ?? '')),
          el(
            'td',
            {},
            el(
              'details',
              { 'data-keep': true },
              el('summary', {}, 'data'),
              el('pre', {}, JSON.stringify({ data: e.data, metadata: e.metadata }, null, 2)),
            ),
          ),
        );
      }),
    ),
  );
}

/** Every matching event as NDJSON (the API streams it), saved as a file. */
async function exportAll(life, query, status) {
  status.textContent = 'exporting…';
  try {
    const res = await fetch(`/audit/events?${query}`, {
      headers: headersOf({ headers: { Accept: 'application/x-ndjson' } }),
      signal: life.signal,
    });
    if (!res.ok) throw new Error(`the API answered ${res.status}`);
    const blob = await res.blob();
    const link = el('a', { href: URL.createObjectURL(blob), download: 'scs-audit.ndjson' });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    status.textContent = `exported ${Math.round(blob.size / 1024)} KB`;
  } catch (error) {
    if (!life.stopped) status.textContent = error.message;
  }
}

export function auditPage(life, raw) {
  const params = new URLSearchParams(raw);
  const go = (next) => (location.hash = `#/audit?${next}`);
  const status = el('span', { class: 'muted', role: 'status' });
  const query = apiQuery(params);
  const form = el(
    'form',
    {
      id: 'audit-filters',
      onsubmit: (event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        for (const [name] of FILTERS)
          if (event.target.elements[name].value) next.set(name, event.target.elements[name].value.trim());
        go(next);
      },
    },
    ...FILTERS.map(([name, label, type]) =>
      el(
        'span',
        { class: 'filter' },
        el('label', { for: `audit-${name}` }, label),
        el('input', { id: `audit-${name}`, name, type, value: params.get(name) ?? '', size: 14 }),
      ),
    ),
    el('button', { type: 'submit' }, 'Filter'),
    el('button', { type: 'button', id: 'export', onclick: () => exportAll(life, query, status) }, 'Export NDJSON'),
    status,
  );
  const list = el('div', { id: 'audit-list' }, el('p', { class: 'muted' }, 'loading…'));
  show(el('h1', {}, 'Audit log'), form, list);
  const pageQuery = new URLSearchParams(query);
  pageQuery.set('limit', '50');
  if (params.get('after')) pageQuery.set('after', params.get('after'));
  fresh(`/audit/events?${pageQuery}`, life.signal).then(
    (page) => {
      if (life.stopped) return;
      const first = new URLSearchParams(params);
      first.delete('after');
      const next = new URLSearchParams(params);
      if (page.next) next.set('after', page.next);
      morph(
        list,
        el(
          'div',
          { id: 'audit-list' },
          page.events.length ? table(page.events) : empty('No event matches these filters.'),
          el(
            'p',
            { class: 'pager' },
            params.get('after') ? el('a', { href: `#/audit?${first}` }, 'First page') : null,
            ' ',
            page.next
              ? el('a', { href: `#/audit?${next}`, id: 'audit-next' }, 'Next page')
              : el('span', { class: 'muted' }, 'end of the log'),
          ),
        ),
      );
    },
    (error) => life.stopped || morph(list, el('div', { id: 'audit-list' }, problemLine(error))),
  );
}
