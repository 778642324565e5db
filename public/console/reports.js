// The Reports page: onboarding and step durations as charts, with the controls GET /reports/onboarding and
// GET /reports/steps document (from / to, period, groupBy), kept in the page's address; fleet, stuck, lag.
import { barChart } from './charts.js';
import { api, el, problemLine, show } from './ui.js';

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
async function chartFrom(box, path, draw) {
  const query = el('p', { class: 'muted query' }, `GET ${path}`);
  try {
    box.replaceChildren(draw(await api(path)), query);
  } catch (error) {
    box.replaceChildren(problemLine(error), query);
  }
}

const onboardingChart = (report) =>
  barChart({
    id: 'chart-onboarding',
    title: `Onboarding per ${report.period}${report.groupBy.length ? ` and ${report.groupBy.join(' and ')}` : ''} (requested / activated / failed)`,
    labels: report.lines.map((l) => [l.period, l.district, l.board].filter(Boolean).join(' ')),
    series: ['requested', 'activated', 'failed'].map((name) => ({ name, values: report.lines.map((l) => l[name]) })),
  });

const stepsChart = (report) => {
  const ran = report.lines.filter((l) => l.runs > 0);
  return barChart({
    id: 'chart-steps',
    title: 'Step durations, ms (p50 / p95)',
    labels: ran.map((l) => l.action),
    series: ['p50Ms', 'p95Ms'].map((name) => ({ name, values: ran.map((l) => l[name]) })),
  });
};

function fleetTables(fleet, projections) {
  const byStatus = new Map();
  for (const c of fleet.byStatus) byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + c.count);
  return [
    el('h2', {}, 'Fleet'),
    el(
      'table',
      { id: 'fleet' },
      ...[...byStatus].map(([status, count]) => el('tr', {}, el('th', {}, status), el('td', {}, count))),
    ),
    el('h2', {}, `Stuck (non-terminal over ${fleet.stuckAfterSeconds} s)`),
    el(
      'table',
      { id: 'stuck' },
      ...fleet.stuck.map((s) =>
        el(
          'tr',
          { class: 'stuck' },
          el('td', {}, el('a', { href: `#/school/${s.id}` }, s.slug)),
          el('td', {}, s.status),
          el('td', {}, `${Math.round(s.seconds)} s`),
        ),
      ),
    ),
    el('h2', {}, 'Projections'),
    el(
      'table',
      { id: 'projections' },
      el('tr', {}, el('th', {}, 'projection'), el('th', {}, 'state'), el('th', {}, 'lag'), el('th', {}, 'error')),
      ...projections.projections.map((p) =>
        el('tr', {}, el('td', {}, p.name), el('td', {}, p.state), el('td', {}, p.lag), el('td', {}, p.lastError ?? '')),
      ),
    ),
  ];
}

export async function reportsPage(raw) {
  const params = new URLSearchParams(raw);
  const paths = queries(params);
  const loading = () => el('p', { class: 'muted' }, 'loading…');
  const onboarding = el('div', { class: 'chart' }, loading());
  const steps = el('div', { class: 'chart' }, loading());
  const rest = el('div', {}, loading());
  show(el('h1', {}, 'Reports'), controls(params), el('div', { class: 'charts' }, onboarding, steps), rest);
  const fleet = Promise.all([api('/reports/fleet'), api('/projections')]).then(
    ([f, p]) => rest.replaceChildren(...fleetTables(f, p)),
    (error) => rest.replaceChildren(problemLine(error)),
  );
  await Promise.all([
    chartFrom(onboarding, paths.onboarding, onboardingChart),
    chartFrom(steps, paths.steps, stepsChart),
    fleet,
  ]);
}
