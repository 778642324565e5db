// The schools list: newest first, searchable (name, slug or id), status chips with their counts, sortable
// columns, relative times, whole-row links, and paging that keeps its place while new schools arrive.
import { watch } from './live.js';
import { ago, can, el, empty, fresh, morph, problemLine, scroller, seconds, show, statusCell } from './ui.js';

export const STATUSES = [
  'provisioning',
  'active',
  'suspending',
  'suspended',
  'resuming',
  'rolling_back',
  'failed',
  'deprovisioning',
  'deleted',
  'restoring',
];
const TERMINAL = new Set(['active', 'failed', 'deleted', 'suspended']);
const FILTERS = ['q', 'status', 'district', 'board', 'schemaVersion'];
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = [
  ['name', 'name'],
  ['status', 'status'],
  ['slug', 'slug'],
  ['district', 'district'],
  ['board', 'board'],
  ['schemaVersion', 'schema'],
  ['createdAt', 'created'],
  ['toActive', 'to active'],
];

const activeAfter = (s) =>
  s.status === 'active'
    ? s.steps
        .map((st) => st.finishedAt)
        .filter(Boolean)
        .sort()
        .pop()
    : null;

function compare(column) {
  const desc = column.startsWith('-');
  const name = desc ? column.slice(1) : column;
  const value = (s) =>
    name === 'toActive' ? Date.parse(activeAfter(s) ?? '') - Date.parse(s.createdAt) || 0 : (s[name] ?? '');
  return (a, b) => {
    const [x, y] = [value(a), value(b)];
    const order = x < y ? -1 : x > y ? 1 : 0;
    return desc ? -order : order;
  };
}

function row(s) {
  const href = `#/school/${s.id}`;
  return el(
    'tr',
    {
      'data-key': s.id,
      'data-id': s.id,
      class: 'link-row',
      onclick: (e) => e.target.closest('a') || (location.hash = href),
    },
    el('td', {}, el('a', { href }, s.name)),
    el('td', {}, statusCell(s.status)),
    el('td', { class: 'mono' }, s.slug),
    el('td', { class: 'wide' }, s.district),
    el('td', { class: 'wide' }, s.board),
    el('td', { class: 'wide' }, s.schemaVersion ?? '—'),
    el('td', {}, ago(s.createdAt)),
    el('td', { class: 'wide' }, seconds(s.createdAt, activeAfter(s)) || '—'),
  );
}

export function schoolsPage(life, raw) {
  const params = new URLSearchParams(raw);
  const limit = Math.min(200, Number(params.get('limit')) || 20);
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const sort = params.get('sort') || '-createdAt';
  const go = (changes) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes))
      if (value === '' || value === undefined) next.delete(name);
      else next.set(name, String(value));
    location.hash = `#/schools?${next}`;
  };
  const filterChanges = (form) => {
    const changes = { offset: '', at: '' };
    for (const name of FILTERS) changes[name] = form.elements[name].value.trim();
    return changes;
  };
  const input = (name, attrs = {}) =>
    el('input', { name, id: `filter-${name}`, value: params.get(name) ?? '', ...attrs });
  const search = el(
    'form',
    {
      id: 'filters',
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        const q = event.target.elements.q.value.trim();
        if (ID.test(q)) location.hash = `#/school/${q.toLowerCase()}`;
        else go(filterChanges(event.target));
      },
    },
    el('label', { for: 'filter-q' }, 'Search'),
    input('q', { type: 'search', placeholder: 'name, slug or id', size: 24 }),
    el('input', { type: 'hidden', name: 'status', value: params.get('status') ?? '' }),
    el(
      'details',
      { class: 'more-filters', open: ['district', 'board', 'schemaVersion'].some((n) => params.get(n)) },
      el('summary', {}, 'More filters'),
      ...['district', 'board', 'schemaVersion'].map((name) =>
        el('span', { class: 'filter' }, el('label', { for: `filter-${name}` }, name), input(name, { size: 10 })),
      ),
    ),
    el('button', { type: 'submit' }, 'Search'),
  );
  const chips = el('nav', { id: 'status-chips', 'aria-label': 'status' });
  const list = el('div', { id: 'list' }, el('p', { class: 'muted' }, 'loading…'));
  show(
    el(
      'div',
      { class: 'title-row' },
      el('h1', {}, 'Schools'),
      can('schools:write') ? el('a', { href: '#/new', class: 'button' }, 'New school') : null,
    ),
    search,
    chips,
    list,
  );

  const filters = new URLSearchParams();
  for (const name of FILTERS) if (params.get(name)) filters.set(name, params.get(name));
  // Newest first over an API that lists oldest first: page n is counted back from the total `at` the time
  // the operator paged (kept in the address), so schools created since do not move the page's rows.
  let at = Number(params.get('at')) || undefined;
  let busy = false;
  const drawChips = (counts) => {
    const chip = (status, label, count) => {
      const current = (params.get('status') ?? '') === status;
      const next = new URLSearchParams(params);
      next.delete('offset');
      next.delete('at');
      if (status) next.set('status', status);
      else next.delete('status');
      return el(
        'a',
        {
          class: `chip${current ? ' current' : ''}`,
          href: `#/schools?${next}`,
          'aria-current': current ? 'true' : null,
          'data-key': status || 'all',
        },
        label,
        count === undefined ? null : el('span', { class: 'count' }, count),
      );
    };
    const total = counts ? [...counts.values()].reduce((a, b) => a + b, 0) : undefined;
    const shown = STATUSES.filter((s) => !counts || counts.has(s) || params.get('status') === s);
    morph(
      chips,
      el(
        'nav',
        { id: 'status-chips', 'aria-label': 'status' },
        chip('', 'all', total),
        ...shown.map((s) => chip(s, s.replace('_', ' '), counts ? (counts.get(s) ?? 0) : undefined)),
      ),
    );
  };
  drawChips(undefined);

  const draw = (items, total) => {
    const sorted = [...items].sort(compare(sort));
    const head = COLUMNS.map(([name, label]) => {
      const state = sort === name ? 'ascending' : sort === `-${name}` ? 'descending' : 'none';
      const next = state === 'descending' ? name : `-${name}`;
      return el(
        'th',
        {
          'aria-sort': state,
          class: ['district', 'board', 'schemaVersion', 'toActive'].includes(name) ? 'wide' : null,
          scope: 'col',
        },
        el(
          'button',
          { type: 'button', class: 'sort', onclick: () => go({ sort: next }) },
          label,
          state === 'none' ? '' : state === 'ascending' ? ' ▲' : ' ▼',
        ),
      );
    });
    const filtered = FILTERS.some((name) => params.get(name));
    const body =
      total === 0
        ? [
            empty(filtered ? 'No school matches these filters.' : 'No schools yet.'),
            filtered
              ? el('p', {}, el('a', { href: '#/schools' }, 'Clear the filters'))
              : can('schools:write')
                ? el('p', {}, el('a', { href: '#/new' }, 'Request the first school'))
                : null,
          ]
        : [
            scroller(
              'schools',
              el(
                'table',
                { id: 'schools' },
                el('thead', {}, el('tr', {}, ...head)),
                el('tbody', {}, ...sorted.map(row)),
              ),
            ),
            el(
              'p',
              { class: 'pager' },
              `${offset + 1}–${offset + items.length} of ${at ?? total}`,
              el(
                'button',
                {
                  type: 'button',
                  disabled: offset === 0,
                  onclick: () =>
                    go({ offset: Math.max(0, offset - limit) || '', at: offset - limit > 0 ? (at ?? total) : '' }),
                },
                'Newer',
              ),
              el(
                'button',
                {
                  type: 'button',
                  disabled: offset + limit >= (at ?? total),
                  onclick: () => go({ offset: offset + limit, at: at ?? total }),
                },
                'Older',
              ),
              at && at !== total ? el('span', { class: 'muted' }, ` (${total - at} newer since) `) : null,
            ),
          ];
    morph(list, el('div', { id: 'list' }, ...body));
  };

  const page = async (count) => {
    const skip = Math.max(0, count - offset - limit);
    const take = Math.min(limit, count - offset);
    if (take <= 0) return { items: [], total: count };
    const query = new URLSearchParams(filters);
    query.set('limit', String(take));
    query.set('offset', String(skip));
    return fresh(`/schools?${query}`, life.signal);
  };
  let last;
  const refresh = async () => {
    try {
      const counted =
        at ?? (await fresh(`/schools?${new URLSearchParams([...filters, ['limit', '1']])}`, life.signal)).total;
      const answer = await page(counted);
      if (can('reports:read'))
        await fresh('/reports/fleet', life.signal).then(
          (fleet) => {
            const counts = new Map();
            for (const c of fleet.byStatus) counts.set(c.status, (counts.get(c.status) ?? 0) + c.count);
            drawChips(counts);
          },
          () => undefined,
        );
      if (life.stopped) return false;
      busy = answer.items.some((s) => !TERMINAL.has(s.status));
      const changed = answer !== last;
      last = answer;
      if (changed) draw(answer.items.reverse ? [...answer.items].reverse() : [], answer.total);
      return changed;
    } catch (error) {
      if (!life.stopped) morph(list, el('div', { id: 'list' }, problemLine(error)));
      return false;
    }
  };
  watch(life, {
    refresh,
    busy: () => busy,
    types: [
      'school.requested',
      'school.provisioned',
      'school.failed',
      'school.deleted',
      'school.suspended',
      'school.resumed',
      'school.details_changed',
      'school.restored',
      'school.restore_failed',
    ],
  });
}
