// Webhooks (GET/POST/DELETE /webhooks, GET /webhooks/:id/deliveries): the endpoints, adding one (its
// secret is shown once), removing one, sending a test event, and each endpoint's recent deliveries.
import { ago, api, el, empty, morph, problemLine, scroller, show, statusCell } from './ui.js';

const TYPES = [
  'school.requested',
  'school.provisioned',
  'school.failed',
  'school.deleted',
  'school.schema_upgraded',
  'school.moved',
  'school.credentials_rotated',
  'school.certificate_renewed',
  'school.details_changed',
  'school.suspended',
  'school.resumed',
  'school.restored',
  'school.restore_failed',
];

function deliveries(items) {
  if (items.length === 0) return empty('No delivery yet.');
  const head = ['when', 'event', 'attempt', 'outcome', 'HTTP', 'latency', 'error'];
  return scroller(
    'deliveries',
    el(
      'table',
      { class: 'deliveries' },
      el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h))),
      ...items.map((d) =>
        el(
          'tr',
          {},
          el('td', {}, ago(d.attemptedAt)),
          el('td', {}, d.eventType),
          el('td', {}, d.attempt),
          el('td', {}, statusCell(d.outcome)),
          el('td', {}, d.httpStatus ?? '—'),
          el('td', {}, `${d.latencyMs} ms`),
          el('td', {}, d.error ?? '—'),
        ),
      ),
    ),
  );
}

export function webhooksPage(life) {
  const state = { items: undefined, error: undefined, secret: undefined, message: undefined, open: new Map() };
  const list = el('div', { id: 'webhooks-list' });
  const call = async (work, text) => {
    try {
      await work();
      state.message = text;
    } catch (error) {
      state.message = undefined;
      state.error = error;
    }
    await load();
  };
  const add = (event) => {
    event.preventDefault();
    const form = event.target;
    const eventTypes = TYPES.filter((t) => form.elements[t].checked);
    state.error = undefined;
    void call(async () => {
      const added = await api('/webhooks', {
        method: 'POST',
        body: JSON.stringify({ url: form.elements.url.value, eventTypes }),
        signal: life.signal,
      });
      state.secret = { id: added.id, secret: added.secret };
      form.reset();
    }, 'added');
  };
  const form = el(
    'form',
    { id: 'add-webhook', onsubmit: add },
    el(
      'p',
      {},
      el('label', { for: 'webhook-url' }, 'URL '),
      el('input', { id: 'webhook-url', name: 'url', type: 'url', required: true, size: 36, placeholder: 'https://…' }),
    ),
    el(
      'fieldset',
      {},
      el('legend', {}, 'events'),
      ...TYPES.map((t) =>
        el(
          'label',
          { class: 'check' },
          el('input', { type: 'checkbox', name: t, checked: t === 'school.provisioned' }),
          ` ${t}`,
        ),
      ),
    ),
    el('button', { type: 'submit' }, 'Add endpoint'),
  );
  show(el('h1', {}, 'Webhooks'), list, el('h2', {}, 'Add an endpoint'), form);

  const endpoint = (w) =>
    el(
      'section',
      { class: 'endpoint', 'data-key': w.id, 'data-id': w.id },
      el('h3', {}, w.url),
      el(
        'p',
        { class: 'muted' },
        `${w.eventTypes.join(', ')} · added `,
        ago(w.createdAt),
        w.disabledAt ? ` · disabled: ${w.disabledReason ?? ''}` : '',
      ),
      state.secret?.id === w.id
        ? el(
            'p',
            { class: 'banner', role: 'status' },
            'Its secret, shown this once: ',
            el('code', { class: 'secret' }, state.secret.secret),
          )
        : null,
      el(
        'p',
        { class: 'buttons' },
        el(
          'button',
          {
            type: 'button',
            onclick: () =>
              call(() => api(`/webhooks/${w.id}/test`, { method: 'POST', signal: life.signal }), 'test event sent'),
          },
          'Send a test event',
        ),
        el(
          'button',
          {
            type: 'button',
            onclick: () => (state.open.has(w.id) ? state.open.delete(w.id) : state.open.set(w.id, null), load()),
          },
          state.open.has(w.id) ? 'Hide deliveries' : 'Deliveries',
        ),
        el(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: () => call(() => api(`/webhooks/${w.id}`, { method: 'DELETE', signal: life.signal }), 'removed'),
          },
          'Remove',
        ),
      ),
      state.open.get(w.id) ? deliveries(state.open.get(w.id)) : null,
    );

  const load = async () => {
    try {
      const answer = await api('/webhooks', { signal: life.signal });
      for (const id of state.open.keys())
        state.open.set(id, (await api(`/webhooks/${id}/deliveries?limit=20`, { signal: life.signal })).items);
      state.items = answer.items;
    } catch (error) {
      state.error = error;
    }
    if (life.stopped) return;
    morph(
      list,
      el(
        'div',
        { id: 'webhooks-list' },
        state.error ? problemLine(state.error) : null,
        state.message ? el('p', { class: 'muted', role: 'status' }, state.message) : null,
        state.items?.length === 0 ? empty('No endpoint yet: SCS sends its events nowhere.') : null,
        ...(state.items ?? []).map(endpoint),
      ),
    );
  };
  void load();
}
