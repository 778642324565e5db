import { serverOf } from '../../src/domain/school/placement.js';
import { ApiCredentialsDelivery } from '../../src/ports/credentials-delivery.port.js';
import { runAction, type StepPorts } from '../../src/process-manager/step-runner.js';
import { stepModule } from '../../src/process-manager/steps/index.js';
import { NO_FAULTS } from '../../src/ports/fault-points.port.js';
import { fold } from '../../src/domain/school/evolve.js';
import { SUCCESS_EVENT } from '../../src/domain/school/events.js';
import { COMPENSATIONS, CRITICAL, STEP_ORDER, STEPS, UNDO_ORDER } from '../../src/domain/school/steps.js';
import { FakeClock } from '../support/in-memory.js';
import { ev, historyBefore, NOW } from '../support/school-spec.js';

describe('the step order and the step modules', () => {
  /** Starts at NOW; what the step runner dates its events with. */
  let clock: FakeClock;
  beforeEach(() => (clock = new FakeClock(NOW)));

  /** A DNS provider that claims and releases at once. */
  const fakeDns = () => ({
    name: 'fake',
    owner: 'scs-test',
    claim: async (record: { type: string }) => ({ reference: `fake:${record.type}` }),
    release: async () => ({ reference: 'fake:gone', existed: true, owned: true }),
    list: async () => [],
  });
  const dnsState = () => fold([ev.requested(), ev.slug(), ev.database(), ev.migrations()])!;

  it('has a module for every step, named after it, with an undo exactly when the step has a compensation', () => {
    for (const step of STEPS) {
      const module = stepModule(step);
      expect(module.name).toBe(step);
      expect(typeof module.undo === 'function').toBe(COMPENSATIONS[step] !== undefined);
      expect(module.needs.length).toBeGreaterThan(0);
    }
  });

  it('derives the undo order as the reverse of the steps', () => {
    expect(UNDO_ORDER).toEqual([
      'unregister_school',
      'withdraw_certificate',
      'revoke_certificate',
      'delete_dns',
      'drop_database',
      'release_slug',
    ]);
    expect(STEPS).toEqual(STEP_ORDER.map((s) => s.name));
    expect(CRITICAL.send_welcome_email).toBe(false);
    expect(STEPS.filter((s) => CRITICAL[s])).toHaveLength(7);
    expect(SUCCESS_EVENT.drop_database).toBe('DatabaseDropped');
  });

  it('hands a module only the ports it declares', async () => {
    const seen: string[] = [];
    const ports = new Proxy({ dns: fakeDns(), dnsTarget: '203.0.113.7', faults: NO_FAULTS } as unknown as StepPorts, {
      get: (target, key) => {
        seen.push(String(key));
        return target[key as keyof StepPorts];
      },
    });
    const state = dnsState();
    const metadata = { actor: 'test', correlationId: 'c', now: NOW };
    const event = await runAction(ports, state, 'create_dns', { attempt: 1, startedAt: NOW }, metadata, clock);
    expect(event).toMatchObject({
      type: 'DnsRecordCreated',
      data: {
        provider: 'fake',
        name: 'greenwood.syncad.in',
        recordType: 'A',
        value: '203.0.113.7',
        reference: 'fake:A',
      },
    });
    const undone = await runAction(ports, state, 'delete_dns', { attempt: 1, startedAt: NOW }, metadata, clock);
    expect(undone).toMatchObject({
      type: 'DnsRecordDeleted',
      data: { existed: true, owned: true, reference: 'fake:gone' },
    });
    expect(new Set(seen)).toEqual(new Set(['faults', 'dns', 'dnsTarget']));
  });

  it("dates the attempt's end (finishedAt) by the clock it is given, its start as the attempt says", async () => {
    const ports = { dns: fakeDns(), dnsTarget: '203.0.113.7', faults: NO_FAULTS } as unknown as StepPorts;
    const state = dnsState();
    const metadata = { actor: 'test', correlationId: 'c', now: NOW };
    clock.advance(1500);
    const event = await runAction(ports, state, 'create_dns', { attempt: 2, startedAt: NOW }, metadata, clock);
    expect(event.data).toMatchObject({ attempt: 2, startedAt: NOW, finishedAt: '2026-11-24T10:00:01.500Z' });
    clock.advance(250);
    const undone = await runAction(ports, state, 'delete_dns', { attempt: 1, startedAt: NOW }, metadata, clock);
    expect(undone.data).toMatchObject({ attempt: 1, startedAt: NOW, finishedAt: '2026-11-24T10:00:01.750Z' });
  });

  it('delivers the certificate the events recorded, and withdraws it on undo', async () => {
    const calls: unknown[] = [];
    const delivery = {
      name: 'files',
      owner: 'scs-test',
      deliver: async (request: unknown) => (calls.push(['deliver', request]), { location: '/tls/g', changed: true }),
      withdraw: async (request: unknown) => (calls.push(['withdraw', request]), { existed: true, owned: true }),
      listDelivered: async () => [],
    };
    const ports = { delivery, faults: NO_FAULTS } as unknown as StepPorts;
    const state = fold(historyBefore('deliver_certificate'))!;
    const metadata = { actor: 'test', correlationId: 'c', now: NOW };
    const event = await runAction(ports, state, 'deliver_certificate', { attempt: 1, startedAt: NOW }, metadata, clock);
    expect(event).toMatchObject({
      type: 'CertificateDelivered',
      data: {
        delivery: 'files',
        domain: 'greenwood.syncad.in',
        serialNumber: 'ab12',
        location: '/tls/g',
        changed: true,
      },
    });
    const undone = await runAction(
      ports,
      state,
      'withdraw_certificate',
      { attempt: 1, startedAt: NOW },
      metadata,
      clock,
    );
    expect(undone).toMatchObject({
      type: 'CertificateWithdrawn',
      data: { delivery: 'files', existed: true, owned: true },
    });
    const school = { schoolId: state.id, domain: 'greenwood.syncad.in' };
    expect(calls).toEqual([
      ['deliver', { ...school, serialNumber: 'ab12', reference: 'local:ab12' }],
      ['withdraw', { ...school, reference: 'local:ab12' }],
    ]);
    // Before its certificate is recorded there is nothing to deliver: a permanent failure, not a guess.
    const early = fold(historyBefore('issue_certificate'))!;
    const run = runAction(ports, early, 'deliver_certificate', { attempt: 1, startedAt: NOW }, metadata, clock);
    await expect(run).rejects.toMatchObject({ permanent: true });
  });

  it('registers the school and delivers its connection (SCS_CREDENTIALS_DELIVERY), withdrawing it on undo', async () => {
    const calls: unknown[] = [];
    const credentialsDelivery = {
      name: 'files',
      deliver: async (school: unknown, connection: unknown) => (
        calls.push(['deliver', school, connection]),
        { location: '/creds/greenwood.env' }
      ),
      withdraw: async (school: unknown) => (
        calls.push(['withdraw', school]),
        { location: '/creds/greenwood.env', existed: true }
      ),
    };
    const registry = {
      register: async () => ({ alreadyRegistered: false }),
      unregister: async () => ({ existed: true }),
    };
    const credentials = { roleFor: (db: string) => `${db}_owner`, passwordFor: () => 'pw-0', encrypt: () => 'sealed' };
    const servers = { endpoint: (name: string) => ({ host: `${name}.db`, port: 6543 }) };
    const ports = { registry, credentials, servers, credentialsDelivery, faults: NO_FAULTS } as unknown as StepPorts;
    const state = fold(historyBefore('deliver_certificate'))!;
    const metadata = { actor: 'test', correlationId: 'c', now: NOW };
    const event = await runAction(ports, state, 'register_school', { attempt: 1, startedAt: NOW }, metadata, clock);
    expect(event).toMatchObject({
      type: 'SchoolRegistered',
      data: { credentials: { delivery: 'files', location: '/creds/greenwood.env' } },
    });
    const undone = await runAction(ports, state, 'unregister_school', { attempt: 1, startedAt: NOW }, metadata, clock);
    expect(undone).toMatchObject({
      type: 'SchoolUnregistered',
      data: { existed: true, credentials: { delivery: 'files', location: '/creds/greenwood.env', existed: true } },
    });
    const school = { id: state.id, slug: 'greenwood' };
    const database = state.databaseName;
    expect(calls).toEqual([
      [
        'deliver',
        school,
        {
          schoolId: state.id,
          server: serverOf(state),
          host: `${serverOf(state)}.db`,
          port: 6543,
          database,
          role: `${database}_owner`,
          password: 'pw-0',
        },
      ],
      ['withdraw', school],
    ]);
    // With `api` nothing is delivered, and the events say nothing about it.
    const api = { ...ports, credentialsDelivery: new ApiCredentialsDelivery() } as StepPorts;
    const plain = await runAction(api, state, 'register_school', { attempt: 1, startedAt: NOW }, metadata, clock);
    expect(plain.data).not.toHaveProperty('credentials');
  });
});
