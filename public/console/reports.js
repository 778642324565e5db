// The Reports page: onboarding and step durations as charts, with the controls GET /reports/onboarding and
// GET /reports/steps document (from / to, period, groupBy), kept in the page's address; what is failing
// (per step runs, failures, retries and reasons), compensations apart; tiles for the fleet; stuck; lag.
import { barChart } from './charts.js';
import { ago, api, el, empty, problemLine, scroller, show, statusCell } from './ui.js';

const PERIODS = ['day', 'week', 'month'];
const GROUPINGS = [
  ['district', 'district'],
  ['board', 'board'],
  ['district,board', 'district and board'],
  ['', 'nothing'],
];

/** The API paths the page's parameters ask for; an empty date is left out (no bound). */
function queries(params) {
  const onboarding = new URLSearchParams({
    period: params.get('period') || 'day',
    groupBy: params.has('groupBy') ? params.get('groupBy') : 'district',
  });
  const steps = new URLSearchParams();
  for (const [query, name] of [
    [onboarding, 'from'],
    [onboarding, 'to'],
    [steps, 'stepsFrom'],
    [steps, 'stepsTo'],
  ]) {
    if (params.get(name)) query.set(name.replace('steps', '').toLowerCase(), params.get(name));
  }
  return {
    onboarding: `/reports/onboarding?${onboarding}`,
    steps: `/reports/steps${steps.size ? `?${steps}` : ''}`,
  };
}

/** The controls; any change goes into the address (#/reports?…), which draws the page again. */
function controls(params) {
  const date = (name) => el('input', { type: 'date', name, value: params.get(name) ?? '' });
  const select = (name, options, value) => {
    const node = el('select', { name }, ...options.map(([v, text]) => el('option', { value: v }, text)));
    node.value = value;
    return node;
  };
  const label = (text, input) => el('label', {}, `${text} `, input, ' ');
  const apply = () => {
    const next = new URLSearchParams();
    for (const field of form.elements) if (field.name) next.set(field.name, field.value);
    location.hash = `#/reports?${next}`;
  };
  const form = el(
    'form',
    { id: 'report-controls', onchange: apply, onsubmit: (event) => (event.preventDefault(), apply()) },
    el(
      'fieldset',
      {},
      el('legend', {}, 'Onboarding'),
      label('from', date('from')),
      label('to (excluded)', date('to')),
      label(
        'per',
        select(
          'period',
          PERIODS.map((p) => [p, p]),
          params.get('period') || 'day',
        ),
      ),
      label('by', select('groupBy', GROUPINGS, params.has('groupBy') ? params.get('groupBy') : 'district')),
    ),
    el(
      'fieldset',
      {},
      el('legend', {}, 'Step durations'),
      label('from', date('stepsFrom')),
      label('to (excluded)', date('stepsTo')),
    ),
    el('span', { class: 'muted' }, 'dates are UTC days'),
  );
  return form;
}

/** One chart: drawn from its API answer, or the API's problem; the request is shown under it. */
async function chartFrom(life, box, path, draw) {
  const query = el('p', { class: 'muted query' }, `GET ${path}`);
  try {
    const answer = await api(path, { signal: life.signal });
    if (!life.stopped) box.replaceChildren(...[draw(answer)].flat(), query);
  } catch (error) {
    if (!life.stopped) box.replaceChildren(problemLine(error), query);
  }
}

const onboardingChart = (report) =>
  barChart({
    id: 'chart-onboarding',
    title: `Onboarding per ${report.period}${report.groupBy.length ? ` and ${report.groupBy.join(' and ')}` : ''}`,
    labels: report.lines.map((l) => [l.period, l.district, l.board].filter(Boolean).join(' ')),
    series: ['requested', 'activated', 'failed', 'deleted'].map((name) => ({
      name,
      values: report.lines.map((l) => l[name]),
    })),
    none: 'no school was requested in this range.',
  });

const pct = (part, whole) => (whole ? `${Math.round((part / whole) * 100)} %` : '—');

/** What is failing: each step's runs, failures and retries (the most failing first) with its top reasons. */
function failingTable(lines) {
  const sorted = [...lines].sort(
    (a, b) => b.failures - a.failures || b.retries - a.retries || a.action.localeCompare(b.action),
  );
  if (sorted.length === 0) return empty('No step ran in this range.');
  const head = ['step', 'runs', 'failures', 'failure rate', 'retries', 'p50 / p95 / max', 'top failure reasons'];
  return scroller(
    'what is failing',
    el(
      'table',
      { id: 'failing' },
      el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h))),
      ...sorted.map((l) =>
        el(
          'tr',
          { 'data-action': l.action, class: l.failures ? 'failing' : null },
          el('th', { scope: 'row' }, l.action),
          el('td', { class: 'num' }, l.runs),
          el('td', { class: 'num' }, l.failures),
          el('td', { class: 'num' }, pct(l.failures, l.runs)),
          el('td', { class: 'num' }, l.retries),
          el('td', { class: 'num' }, `${l.p50Ms} / ${l.p95Ms} / ${l.maxMs} ms`),
          el(
            'td',
            {},
            l.topFailures.length
              ? el('ul', { class: 'reasons' }, ...l.topFailures.map((f) => el('li', {}, `${f.count} × ${f.reason}`)))
              : '—',
          ),
        ),
      ),
    ),
  );
}

/** The steps report: failures first (table and chart), then durations; compensations on their own chart. */
const stepsCharts = (report) => {
  const ran = report.lines.filter((l) => l.runs > 0);
  const steps = ran.filter((l) => l.kind === 'step');
  const undos = ran.filter((l) => l.kind === 'compensation');
  const other = ran.filter((l) => l.kind !== 'step' && l.kind !== 'compensation');
  const durations = (id, title, lines, none) =>
    barChart({
      id,
      title,
      labels: lines.map((l) => l.action),
      series: ['p50Ms', 'p95Ms'].map((name) => ({ name, values: lines.map((l) => l[name]) })),
      none,
    });
  return [
    el('h3', {}, 'What is failing'),
    failingTable(ran),
    barChart({
      id: 'chart-failures',
      title: 'Step runs, failures and retries',
      labels: steps.map((l) => l.action),
      series: ['runs', 'failures', 'retries'].map((name) => ({ name, values: steps.map((l) => l[name]) })),
      none: 'no step ran in this range.',
    }),
    durations('chart-steps', 'Step durations, ms (p50 / p95)', steps, 'no step ran in this range.'),
    durations(
      'chart-compensations',
      'Compensation durations, ms (p50 / p95)',
      undos,
      'no compensation ran in this range.',
    ),
    other.length ? durations('chart-lifecycle', 'Lifecycle and renewal durations, ms (p50 / p95)', other) : null,
  ].filter(Boolean);
};

/** The fleet at a glance: counts by status, the median time to active, certificates, schema versions, stuck. */
function tiles(fleet, onboarding) {
  const byStatus = new Map();
  for (const c of fleet.byStatus) byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + c.count);
  const medians = onboarding.lines
    .filter((l) => l.medianSecondsToActive !== null)
    .flatMap((l) => Array(l.activated).fill(l.medianSecondsToActive))
    .sort((a, b) => a - b);
  const median = medians.length ? `${medians[Math.floor(medians.length / 2)].toFixed(1)} s` : '—';
  const expiry = fleet.certificateExpiry;
  const tile = (id, label, value, note, warn) =>
    el(
      'div',
      { class: `tile${warn ? ' warn' : ''}`, id: `tile-${id}` },
      el('div', { class: 'tile-label' }, label),
      el('div', { class: 'tile-value' }, value),
      note ? el('div', { class: 'tile-note' }, note) : null,
    );
  const count = (status) => byStatus.get(status) ?? 0;
  return el(
    'div',
    { class: 'tiles', id: 'tiles' },
    tile('active', 'active', count('active'), `${[...byStatus.values()].reduce((a, b) => a + b, 0)} schools in all`),
    tile('failed', 'failed', count('failed'), null, count('failed') > 0),
    tile('deleted', 'deleted', count('deleted')),
    tile('median', 'median POST → active', median, 'weighted over the onboarding lines'),
    tile(
      'certificates',
      'certificates expiring',
      `${expiry.within7Days} / ${expiry.within30Days}`,
      `within 7 / 30 days; ${expiry.later} later`,
      expiry.within7Days > 0,
    ),
    tile(
      'schemas',
      'schema versions',
      fleet.bySchemaVersion.map((v) => `${v.schemaVersion ?? 'none'} × ${v.count}`).join(', ') || '—',
    ),
    tile('stuck', 'stuck', fleet.stuck.length, `over ${fleet.stuckAfterSeconds} s in flight`, fleet.stuck.length > 0),
  );
}

function fleetTables(fleet, projections) {
  return [
    el('h2', {}, `Stuck (in flight over ${fleet.stuckAfterSeconds} s)`),
    fleet.stuck.length
      ? scroller(
          'stuck schools',
          el(
            'table',
            { id: 'stuck' },
            el(
              'tr',
              {},
              el('th', { scope: 'col' }, 'school'),
              el('th', { scope: 'col' }, 'status'),
              el('th', { scope: 'col' }, 'since'),
              el('th', { scope: 'col' }, 'for'),
            ),
            ...fleet.stuck.map((s) =>
              el(
                'tr',
                { class: 'stuck' },
                el('td', {}, el('a', { href: `#/school/${s.id}` }, s.slug)),
                el('td', {}, statusCell(s.status)),
                el('td', {}, ago(s.since)),
                el('td', {}, `${Math.round(s.seconds)} s`),
              ),
            ),
          ),
        )
      : empty('No school is stuck.'),
    el('h2', {}, 'Fleet by status'),
    el(
      'table',
      { id: 'fleet' },
      ...[...new Set(fleet.byStatus.map((c) => c.status))].map((status) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, status),
          el(
            'td',
            {},
            fleet.byStatus.filter((c) => c.status === status).reduce((n, c) => n + c.count, 0),
          ),
        ),
      ),
    ),
    el('h2', {}, 'Projections'),
    scroller(
      'projections',
      el(
        'table',
        { id: 'projections' },
        el('tr', {}, ...['projection', 'state', 'lag', 'error'].map((h) => el('th', { scope: 'col' }, h))),
        ...projections.projections.map((p) =>
          el(
            'tr',
            {},
            el('td', {}, p.name),
            el('td', {}, p.state),
            el('td', {}, p.lag),
            el('td', {}, p.lastError ?? '—'),
          ),
        ),
      ),
    ),
  ];
}

export async function reportsPage(life, raw) {
  const params = new URLSearchParams(raw);
  const paths = queries(params);
  const loading = () => el('p', { class: 'muted' }, 'loading…');
  const top = el('div', {}, loading());
  const onboarding = el('div', { class: 'chart' }, loading());
  const steps = el('div', { class: 'chart', id: 'steps-box' }, loading());
  const rest = el('div', {}, loading());
  show(
    el('h1', {}, 'Reports'),
    top,
    controls(params),
    el('h2', {}, 'Onboarding'),
    onboarding,
    el('h2', {}, 'Steps'),
    steps,
    rest,
  );
  const fleet = Promise.all([
    api('/reports/fleet', { signal: life.signal }),
    api('/projections', { signal: life.signal }),
    // The tiles' median comes from the onboarding report; its problem is the chart's to show, not theirs.
    api(paths.onboarding, { signal: life.signal }).catch(() => ({ lines: [] })),
  ]).then(
    ([f, p, o]) => life.stopped || (top.replaceChildren(tiles(f, o)), rest.replaceChildren(...fleetTables(f, p))),
    (error) => life.stopped || rest.replaceChildren(problemLine(error)),
  );
  await Promise.all([
    chartFrom(life, onboarding, paths.onboarding, onboardingChart),
    chartFrom(life, steps, paths.steps, stepsCharts),
    fleet,
  ]);
}
