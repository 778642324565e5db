// One school: what it is now (or was, with the as-of slider), its timeline and history, the links between
// a failed school and its retry, and the actions the API has that apply to it and that the key may use.
import { watch } from './live.js';
import { historyTable, STEP_EVENTS, timeline } from './timeline.js';
import { ago, api, ApiError, can, el, etagOf, fresh, morph, problemLine, show, statusCell, time } from './ui.js';

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SETTLED = new Set(['active', 'failed', 'deleted', 'suspended']);
const DETAILS = ['name', 'district', 'board', 'adminEmail', 'phone'];

function facts(school) {
  const undone = new Set(school.compensations.filter((c) => c.status === 'succeeded').map((c) => c.name));
  const gone = (name, text) =>
    undone.has(name) ? [text, el('span', { class: 'gone' }, ` (${name.replace('_', ' ')} done)`)] : text;
  const rows = [
    ['slug', school.slug],
    ['subdomain', school.subdomain],
    ['district / board', `${school.district} / ${school.board}`],
    ['admin', `${school.adminEmail} · ${school.phone}`],
    [
      'database',
      gone(
        'drop_database',
        `${school.databaseName}${school.server ? ` on ${school.server}` : ''}${school.schemaVersion ? `, schema ${school.schemaVersion}` : ''}`,
      ),
    ],
    ['DNS', school.dns ? gone('delete_dns', `${school.dns.name} ${school.dns.type} (${school.dns.provider})`) : '—'],
    [
      'certificate',
      school.certificate
        ? gone('revoke_certificate', [
            `${school.certificate.issuer}, until `,
            el('time', { datetime: school.certificate.notAfter }, time(school.certificate.notAfter)),
          ])
        : '—',
    ],
    ['failure', school.failedStep ? `${school.failedStep}: ${school.failureReason ?? ''}` : null],
    [
      'suspension',
      school.suspension
        ? `${school.suspension.reason} (since ${time(school.suspension.suspendedAt ?? school.suspension.requestedAt)})`
        : null,
    ],
    [
      'schema upgrade',
      school.schemaUpgrade ? `${school.schemaUpgrade.migration} failed: ${school.schemaUpgrade.error}` : null,
    ],
    ['warnings', school.warnings.length ? school.warnings.join('; ') : null],
  ].filter(([, value]) => value !== null);
  return el(
    'dl',
    { class: 'facts', id: 'facts' },
    ...rows.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]),
  );
}

/** The actions that apply to `school` now and that the key may use; each answers in `state.message`. */
function actions(school, state, act) {
  const message = (name) =>
    state.message?.action === name
      ? state.message.error
        ? problemLine(state.message.error)
        : el('span', { class: 'muted', role: 'status' }, state.message.text)
      : null;
  const form = (name, label, fields, text) =>
    el(
      'form',
      { class: 'action', id: `${name}-form`, onsubmit: (e) => (e.preventDefault(), act(name, e.target)) },
      text ? el('p', {}, text) : null,
      ...fields,
      el('button', { type: 'submit', id: name }, label),
      message(name),
    );
  const field = (name, label, attrs = {}) =>
    el('label', { class: 'inline' }, `${label} `, el('input', { name, ...attrs }));
  const s = school.status;
  const list = [];
  const write = can('schools:write');
  if (s === 'failed' && write)
    list.push(form('retry', 'Retry', [], `Request ${school.slug} again as a new school with the same details.`));
  if (s === 'active' && can('operate'))
    list.push(
      form(
        'suspend',
        'Suspend',
        [field('reason', 'reason', { required: true, size: 24 })],
        'Lock the school out; its name points at the maintenance page.',
      ),
    );
  if (s === 'suspended' && can('operate')) list.push(form('resume', 'Resume', [], 'Let the school in again.'));
  if (s === 'deleted' && write) list.push(form('restore', 'Restore', [], 'Provision this deleted school again.'));
  if ((s === 'active' || s === 'suspended') && write)
    list.push(
      el(
        'details',
        { class: 'action', id: 'edit' },
        el('summary', {}, 'Edit details'),
        form(
          'edit',
          'Save',
          DETAILS.map((name) => field(name, name, { value: school[name], size: 24 })),
        ),
      ),
    );
  if (!['deleted', 'deprovisioning', 'rolling_back'].includes(s) && can('schools:delete'))
    list.push(
      form(
        'delete',
        'Delete',
        [field('slug', 'type the slug to confirm', { id: 'confirm-slug', autocomplete: 'off', size: 16 })],
        'Tear the school down: its database, name, certificate and registry row.',
      ),
    );
  return list.length
    ? el('section', { id: 'actions', 'aria-label': 'actions' }, ...list)
    : el('div', { id: 'actions' });
}

function links(state) {
  const retryOf = state.events[0]?.metadata.retryOf;
  return [
    typeof retryOf === 'string'
      ? el(
          'p',
          { id: 'retry-of', class: 'muted' },
          'retry of failed school ',
          el('a', { href: `#/school/${retryOf}` }, retryOf),
        )
      : null,
    state.retriedAs?.length
      ? el(
          'p',
          { id: 'retried-as', class: 'muted' },
          'retried as ',
          ...state.retriedAs.flatMap((r, i) => [
            i ? ', ' : '',
            el('a', { href: `#/school/${r.id}` }, `${r.id}`),
            ' (',
            statusCell(r.status),
            ')',
          ]),
        )
      : null,
  ];
}

function historyControls(state, redraw, travel) {
  const steps = Object.keys(STEP_EVENTS);
  const n = state.events.length;
  return el(
    'div',
    { class: 'history-controls' },
    n > 1
      ? el(
          'label',
          { class: 'inline' },
          'as of ',
          el('input', {
            type: 'range',
            id: 'as-of',
            min: 0,
            max: n - 1,
            value: state.asOf ?? n - 1,
            onchange: (e) => travel(Number(e.target.value)),
          }),
        )
      : null,
    el(
      'label',
      { class: 'inline' },
      'step ',
      el(
        'select',
        { id: 'step-filter', onchange: (e) => ((state.step = e.target.value), redraw()) },
        el('option', { value: '' }, 'all'),
        ...steps.map((s) => el('option', { value: s, selected: state.step === s }, s)),
      ),
    ),
  );
}

export function schoolPage(life, id) {
  if (!ID.test(id))
    return show(
      el('h1', {}, 'School not found'),
      el('p', { id: 'not-found' }, `"${id}" is not a school id.`),
      el('p', {}, el('a', { href: '#/schools' }, 'Back to the schools')),
    );
  const title = el('h1', { id: 'school-name' }, 'School');
  const body = el('div', { id: 'school-body' }, el('p', { class: 'muted' }, 'loading…'));
  show(el('p', { class: 'crumbs' }, el('a', { href: '#/schools' }, 'Schools'), ' / '), title, body);
  const state = {
    school: undefined,
    events: [],
    step: '',
    asOf: undefined,
    past: undefined,
    message: undefined,
    until: 0,
  };

  const draw = () => {
    if (life.stopped || !state.school) return;
    const view = state.past ?? state.school;
    const events = state.asOf === undefined ? state.events : state.events.slice(0, state.asOf + 1);
    if (title.textContent !== state.school.name) title.textContent = state.school.name;
    morph(
      body,
      el(
        'div',
        { id: 'school-body' },
        el(
          'p',
          { class: 'subtitle' },
          statusCell(view.status),
          ' ',
          el('span', { class: 'muted' }, 'requested ', ago(view.createdAt), ' · updated ', ago(view.updatedAt)),
        ),
        state.past
          ? el(
              'div',
              { id: 'past', class: 'banner', role: 'status' },
              `Viewing the past: as of ${time(state.past.updatedAt)} (event ${state.asOf + 1} of ${state.events.length}). Actions are hidden. `,
              el('button', { type: 'button', id: 'now', onclick: () => travel(undefined) }, 'Back to now'),
            )
          : null,
        ...links(state),
        state.past ? null : actions(state.school, state, act),
        facts(view),
        timeline(view, events),
        el('h2', {}, 'History'),
        historyControls(state, draw, travel),
        historyTable(events, state.step),
      ),
    );
  };

  const travel = async (index) => {
    if (index === undefined || index >= state.events.length - 1) {
      state.asOf = undefined;
      state.past = undefined;
      return draw();
    }
    try {
      const at = state.events[index].time;
      const past = await api(`/school/${id}/history?asOf=${encodeURIComponent(at)}`, { signal: life.signal });
      state.asOf = index;
      state.past = past.state;
      draw();
    } catch (error) {
      if (life.stopped) return;
      state.message = { action: 'history', error };
      draw();
    }
  };

  const findRetries = async (school) => {
    const later = await api(`/schools?slug=${school.slug}&limit=20`, { signal: life.signal });
    const candidates = later.items.filter((s) => s.id !== id && s.createdAt > school.createdAt).slice(0, 3);
    const histories = await Promise.all(candidates.map((s) => api(`/school/${s.id}/history`, { signal: life.signal })));
    state.retriedAs = candidates.filter((_, i) => histories[i].events[0]?.metadata.retryOf === id);
  };

  let last;
  const refresh = async () => {
    try {
      const [school, history] = await Promise.all([
        fresh(`/school/${id}`, life.signal),
        fresh(`/school/${id}/history`, life.signal),
      ]);
      if (school.status === 'failed' && state.retriedAs === undefined && can('schools:read'))
        await findRetries(school).catch(() => (state.retriedAs = []));
      if (life.stopped) return false;
      const changed = school !== last?.[0] || history !== last?.[1];
      last = [school, history];
      state.school = school;
      state.events = history.events;
      if (changed) draw();
      return changed;
    } catch (error) {
      if (life.stopped) return false;
      if (error.status === 404) {
        title.textContent = 'School not found';
        morph(
          body,
          el(
            'div',
            { id: 'school-body' },
            el('p', { id: 'not-found' }, `No school has the id ${id}.`),
            el('p', {}, el('a', { href: '#/schools' }, 'Back to the schools')),
          ),
        );
      } else morph(body, el('div', { id: 'school-body' }, problemLine(error)));
      return false;
    }
  };

  const requests = {
    retry: () => api(`/school/${id}/retry`, { method: 'POST', signal: life.signal }),
    suspend: (form) =>
      api(`/school/${id}/suspend`, {
        method: 'POST',
        body: JSON.stringify({ reason: form.elements.reason.value }),
        signal: life.signal,
      }),
    resume: () => api(`/school/${id}/resume`, { method: 'POST', signal: life.signal }),
    restore: () => api(`/school/${id}/restore`, { method: 'POST', signal: life.signal }),
    edit: (form) => {
      const changes = {};
      for (const name of DETAILS)
        if (form.elements[name].value !== state.school[name]) changes[name] = form.elements[name].value;
      return api(`/school/${id}`, {
        method: 'PATCH',
        body: JSON.stringify(changes),
        headers: { 'If-Match': etagOf(`/school/${id}`) ?? '*' },
        signal: life.signal,
      });
    },
    delete: (form) => {
      if (form.elements.slug.value !== state.school.slug)
        throw new ApiError(400, { detail: 'type the slug to confirm' });
      return api(`/school/${id}`, { method: 'DELETE', signal: life.signal });
    },
  };
  const DONE = {
    retry: 'requested',
    suspend: 'suspending…',
    resume: 'resuming…',
    restore: 'restoring…',
    edit: 'saved',
    delete: 'deleting…',
  };
  const act = async (name, form) => {
    state.message = { action: name, text: 'sending…' };
    draw();
    try {
      const answer = await requests[name](form);
      if (name === 'retry') return void (location.hash = `#/school/${answer.id}`);
      state.message = { action: name, text: DONE[name] };
      state.until = Date.now() + 15_000; // the read model follows in a moment: poll fast meanwhile
      void refreshNow();
    } catch (error) {
      if (life.stopped) return;
      const missing = name === 'restore' && (error.status === 404 || error.status === 405);
      state.message = {
        action: name,
        error: missing
          ? new Error('This API cannot restore schools yet.')
          : error.status === 412
            ? new Error('The school changed since this page read it: it shows it as it is now; check and save again.')
            : error,
      };
      if (error.status === 412) void refreshNow();
    }
    draw();
  };
  const refreshNow = watch(life, {
    refresh,
    busy: () => !SETTLED.has(state.school?.status) || Date.now() < state.until,
    types: [
      'school.provisioned',
      'school.failed',
      'school.deleted',
      'school.suspended',
      'school.resumed',
      'school.details_changed',
      'school.schema_upgraded',
      'school.moved',
      'school.certificate_renewed',
      'school.restored',
      'school.restore_failed',
    ],
    school: id,
  });
}
