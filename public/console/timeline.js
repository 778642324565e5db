// A school's timeline: its steps, then its rollback or teardown, as bars on one time axis. Each attempt is a
// segment (a failed one red, the wait before its retry hatched); a step or undo in flight runs to now.
// The history below it: one row per event, its data readable on demand, filterable by step.
import { ago, el, scroller, seconds, time } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 1000; // the lane's own units: the SVG stretches to the row

/** The events that record each step and its undo (beside `data.step` of a failed attempt). */
export const STEP_EVENTS = {
  reserve_slug: ['SlugReserved', 'SlugReleased'],
  create_database: ['DatabaseCreated', 'DatabaseDropped'],
  run_migrations: ['MigrationsApplied'],
  create_dns: ['DnsRecordCreated', 'DnsRecordDeleted'],
  issue_certificate: ['CertificateIssued', 'CertificateRevoked'],
  deliver_certificate: ['CertificateDelivered', 'CertificateWithdrawn'],
  register_school: ['SchoolRegistered', 'SchoolUnregistered'],
  send_welcome_email: ['WelcomeEmailSent', 'WelcomeEmailFailed'],
};
const UNDO_OF = {
  release_slug: 'reserve_slug',
  drop_database: 'create_database',
  delete_dns: 'create_dns',
  revoke_certificate: 'issue_certificate',
  withdraw_certificate: 'deliver_certificate',
  unregister_school: 'register_school',
};
export const stepOf = (event) => {
  const named = event.data?.step;
  if (named) return UNDO_OF[named] ?? named;
  return Object.keys(STEP_EVENTS).find((step) => STEP_EVENTS[step].includes(event.type));
};

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

/** The segments of one step or undo: failed attempts and their waits from the history, then its last run. */
function segments(step, events, now, running) {
  const parts = [];
  for (const e of events) {
    if (e.type !== 'StepAttemptFailed' || e.data.step !== step.name) continue;
    parts.push({
      kind: 'failed',
      from: e.data.startedAt,
      to: e.data.finishedAt,
      title: `attempt ${e.data.attempt} failed: ${e.data.error}`,
    });
    parts.push({
      kind: 'backoff',
      from: e.data.finishedAt,
      to: e.data.retryAt,
      title: `waiting to retry until ${time(e.data.retryAt)}`,
    });
  }
  if (step.startedAt && step.finishedAt) {
    const kind = step.status === 'failed' ? 'failed' : step.status === 'warning' ? 'warning' : 'succeeded';
    parts.push({ kind, from: step.startedAt, to: step.finishedAt, title: `attempt ${step.attempts}: ${step.status}` });
  } else if (running) {
    const last = parts.at(-1)?.to;
    if (!(last > now)) parts.push({ kind: 'running', from: last ?? running, to: now, title: 'running' });
  }
  return parts;
}

function lane(parts, t0, span) {
  const x = (iso) => ((Date.parse(iso) - t0) / span) * WIDTH;
  return svg(
    'svg',
    { class: 'lane', viewBox: `0 0 ${WIDTH} 10`, preserveAspectRatio: 'none', 'aria-hidden': 'true' },
    svg('rect', { class: 'track', x: 0, y: 0, width: WIDTH, height: 10 }),
    ...parts.map((p) =>
      svg(
        'rect',
        {
          class: `seg seg-${p.kind}`,
          x: x(p.from).toFixed(1),
          y: 1,
          width: Math.max(3, x(p.to) - x(p.from)).toFixed(1),
          height: 8,
          'data-kind': p.kind,
        },
        svg('title', {}, p.title),
      ),
    ),
  );
}

function item(step, parts, t0, span, kind) {
  const first = parts[0]?.from ?? step.startedAt;
  const last = parts.at(-1)?.to ?? step.finishedAt;
  const running = parts.at(-1)?.kind === 'running';
  const status = running ? 'running' : step.status;
  return el(
    'li',
    { class: kind, 'data-step': step.name, 'data-key': step.name },
    el(
      'div',
      { class: 'step-head' },
      el('strong', {}, step.name),
      el('span', { class: `step step-${status}` }, status),
      el(
        'span',
        { class: 'muted' },
        [seconds(first, last), step.attempts > 1 ? `${step.attempts} attempts` : ''].filter(Boolean).join(' · '),
      ),
    ),
    lane(parts, t0, span),
    step.error ? el('div', { class: 'problem' }, step.error) : null,
    step.retryAt ? el('div', { class: 'muted' }, 'retry ', ago(step.retryAt)) : null,
  );
}

/**
 * The timeline of `school` (with its `events`): steps on one axis from the request to the last thing that
 * happened (or now, while something runs), then the rollback or teardown on the same axis.
 */
export function timeline(school, events) {
  const now = new Date().toISOString();
  const inFlight = ['provisioning', 'rolling_back', 'deprovisioning'].includes(school.status);
  const lastTime = events.at(-1)?.time ?? school.updatedAt;
  // The step in flight is the first pending one, started when the one before it ended.
  const pendingAt =
    school.status === 'provisioning'
      ? school.steps.findIndex((s) => s.status === 'pending' || s.status === 'retrying')
      : -1;
  const stepParts = school.steps.map((s, i) =>
    segments(s, events, now, i === pendingAt ? (school.steps[i - 1]?.finishedAt ?? school.createdAt) : undefined),
  );
  const teardown = events.some((e) => e.type === 'TeardownRequested');
  const undoing = ['rolling_back', 'deprovisioning'].includes(school.status);
  const undoParts = school.compensations.map((s) => segments(s, events, now, undefined));
  const times = [...stepParts, ...undoParts]
    .flat()
    .flatMap((p) => [p.from, p.to])
    .filter(Boolean);
  const t0 = Date.parse(school.createdAt);
  const end = Math.max(t0 + 1, ...times.map(Date.parse), inFlight ? Date.parse(now) : Date.parse(lastTime));
  const span = end - t0;
  const axis = el(
    'div',
    { class: 'axis muted' },
    el('span', {}, time(school.createdAt)),
    el('span', {}, `+${(span / 1000).toFixed(1)} s`),
  );
  const undoTitle = teardown ? 'Teardown' : 'Rollback';
  const undoStart = events.findLast((e) => e.type === 'TeardownRequested' || e.type === 'RollbackStarted')?.time;
  const undoItems = school.compensations.map((s, i) => item(s, undoParts[i], t0, span, 'compensation'));
  if (undoing) {
    const from = school.compensations.at(-1)?.finishedAt ?? undoStart ?? lastTime;
    const running = {
      name: 'undoing…',
      status: 'running',
      attempts: 1,
      startedAt: null,
      finishedAt: null,
      error: null,
    };
    undoItems.push(
      item(running, [{ kind: 'running', from, to: now, title: 'the next undo runs' }], t0, span, 'compensation'),
    );
  }
  return el(
    'section',
    { id: 'timeline-box', 'aria-label': 'timeline' },
    el('h2', {}, 'Timeline'),
    svg(
      'svg',
      { class: 'defs', width: 0, height: 0, 'aria-hidden': 'true' },
      svg(
        'pattern',
        { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
        svg('rect', { class: 'hatch-line', width: 3, height: 6 }),
      ),
    ),
    axis,
    el(
      'ol',
      { class: 'timeline', id: 'timeline' },
      ...school.steps.map((s, i) => item(s, stepParts[i], t0, span, 'step')),
    ),
    undoItems.length
      ? [
          el('h3', { id: 'undo-title', 'data-kind': teardown ? 'teardown' : 'rollback' }, undoTitle),
          el('ol', { class: 'timeline', id: 'compensations' }, ...undoItems),
        ]
      : null,
    el(
      'p',
      { class: 'legend muted' },
      ...['succeeded', 'failed', 'backoff', 'running'].map((k) =>
        el('span', { class: `key key-${k}` }, k === 'backoff' ? 'waiting to retry' : k),
      ),
    ),
  );
}

/** The history: one row per event; its data as indented JSON behind a disclosure; only `step`'s when given. */
export function historyTable(events, step) {
  const shown = step ? events.filter((e) => stepOf(e) === step) : events;
  const head = ['#', 'time', 'event', 'actor', 'correlation id', 'data'];
  return scroller(
    'history',
    el(
      'table',
      { id: 'history' },
      el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h))),
      ...shown.map((e) =>
        el(
          'tr',
          { 'data-key': String(e.revision), class: /Failed$/.test(e.type) ? 'failed-row' : null },
          el('td', {}, e.revision),
          el('td', {}, ago(e.time)),
          el('td', {}, e.type),
          el('td', {}, String(e.metadata.actor ?? '')),
          el('td', { class: 'mono' }, String(e.metadata.correlationId ?? '')),
          el(
            'td',
            {},
            el(
              'details',
              { 'data-keep': true },
              el('summary', {}, 'data'),
              el('pre', {}, JSON.stringify(e.data, null, 2)),
            ),
          ),
        ),
      ),
    ),
  );
}
