import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  INTEGRATION_EVENT_TYPES,
  testEvent,
  toIntegrationEvent,
  type IntegrationEvent,
  type SourceEvent,
} from '../../src/integration-events/integration-events.js';
import { integrationEventSchemas } from '../../src/integration-events/schemas.js';
import type { SchoolEvent } from '../../src/domain/school/events.js';
import { fold } from '../../src/domain/school/evolve.js';
import { ev, LATER, NOW, provisionedSchool, SCHOOL_ID } from '../support/school-spec.js';

const SOURCE = '/scs/scs_test';
const EVENT_ID = '0b6d1f0e-5f43-5d7a-9c38-2f1f2a3b4c5d';

/** `event` recorded after `history`: the public event it makes, from the state folded through it. */
function map(history: SchoolEvent[], event: SchoolEvent, now = LATER): IntegrationEvent | undefined {
  const state = fold([...history, event])!;
  return toIntegrationEvent({ ...event, id: EVENT_ID, metadata: { now } } as SourceEvent, state, SOURCE);
}

const AjvClass = Ajv2020 as unknown as typeof Ajv2020.default;
const ajv = new AjvClass({ strict: true, allErrors: true });
(addFormats as unknown as typeof addFormats.default)(ajv);
const schemas = integrationEventSchemas();
const produced: IntegrationEvent[] = [];

/**
 * Checked against its type's schema and the CloudEvents 1.0 JSON format's own rules (the required context
 * attributes, their types, an RFC 3339 time), then kept.
 */
function valid(event: IntegrationEvent | undefined): IntegrationEvent {
  expect(event).toBeDefined();
  const type = event!.type;
  const validate = ajv.compile(schemas[type]);
  if (!validate(event)) throw new Error(`${type}: ${ajv.errorsText(validate.errors)}`);
  const { specversion, id, source, type: ceType, time, datacontenttype } = event!;
  expect(specversion).toBe('1.0');
  for (const attribute of [id, source, ceType])
    expect(typeof attribute === 'string' && attribute.length > 0).toBe(true);
  expect(new Date(time).toISOString()).toBe(time);
  expect(datacontenttype).toBe('application/json');
  produced.push(event!);
  return event!;
}

const envelope = (type: string) => ({
  specversion: '1.0',
  id: EVENT_ID,
  source: SOURCE,
  type,
  subject: SCHOOL_ID,
  time: LATER,
  datacontenttype: 'application/json',
  dataschema: `urn:syncad:scs:${type}:v1`,
});
const school = {
  id: SCHOOL_ID,
  slug: 'greenwood',
  subdomain: 'greenwood.syncad.in',
  databaseName: 'school_7d2f3a649a414c2e9a575a0c1b2d3e4f',
};
const live = () => provisionedSchool();
const placed = (history: SchoolEvent[]) =>
  history.map((e) => (e.type === 'DatabaseCreated' ? { ...e, data: { ...e.data, server: 'pg-1' } } : e));

describe('integration events: one public event per domain event that has one', () => {
  it('SchoolRequested → school.requested, before any server is chosen', () => {
    expect(valid(map([], ev.requested(), NOW))).toEqual({
      ...envelope('school.requested'),
      time: NOW,
      data: {
        ...school,
        server: null,
        status: 'provisioning',
        name: 'Greenwood High',
        district: 'Pune',
        board: 'CBSE',
      },
    });
  });

  it('SchoolProvisioned → school.provisioned, active, on the server DatabaseCreated named', () => {
    const history = placed(live());
    expect(valid(map(history.slice(0, -1), history[history.length - 1]))).toEqual({
      ...envelope('school.provisioned'),
      data: { ...school, server: 'pg-1', status: 'active', provisionedAt: LATER },
    });
  });

  it('SchoolRolledBack → school.failed with the failed step and reason', () => {
    const history: SchoolEvent[] = [
      ev.requested(),
      ev.slug(),
      ev.database(),
      {
        type: 'ProvisioningStepFailed',
        data: { step: 'run_migrations', attempt: 5, error: 'boom', startedAt: NOW, finishedAt: NOW },
      },
      { type: 'RollbackStarted', data: { failedStep: 'run_migrations', reason: 'boom' } },
    ];
    const rolledBack: SchoolEvent = {
      type: 'SchoolRolledBack',
      data: { failedStep: 'run_migrations', reason: 'boom', finishedAt: LATER },
    };
    expect(valid(map(history, rolledBack))).toEqual({
      ...envelope('school.failed'),
      data: { ...school, server: 'central', status: 'failed', failedStep: 'run_migrations', reason: 'boom' },
    });
  });

  it('SchoolDeleted → school.deleted', () => {
    const history: SchoolEvent[] = [
      ...live(),
      { type: 'TeardownRequested', data: { requestedAt: NOW, statusBefore: 'active' } },
    ];
    expect(valid(map(history, { type: 'SchoolDeleted', data: { deletedAt: LATER } }))).toEqual({
      ...envelope('school.deleted'),
      data: { ...school, server: 'central', status: 'deleted', deletedAt: LATER },
    });
  });

  it('SchoolSchemaUpgraded → school.schema_upgraded with both versions', () => {
    const upgraded: SchoolEvent = {
      type: 'SchoolSchemaUpgraded',
      data: {
        databaseName: school.databaseName,
        from: '0003',
        to: '0004',
        migrations: ['0004_x'],
        durationMs: 12,
        attempt: 1,
        startedAt: NOW,
        finishedAt: LATER,
      },
    };
    expect(valid(map(live(), upgraded))).toEqual({
      ...envelope('school.schema_upgraded'),
      data: { ...school, server: 'central', status: 'active', fromVersion: '0003', toVersion: '0004' },
    });
  });

  it('SchoolMoved → school.moved, the snapshot already on the new server', () => {
    const history: SchoolEvent[] = [
      ...live(),
      { type: 'SchoolMoveStarted', data: { from: 'central', to: 'pg-2', startedAt: NOW } },
    ];
    const moved: SchoolEvent = {
      type: 'SchoolMoved',
      data: { from: 'central', to: 'pg-2', tables: 72, rows: 7, downtimeMs: 213, startedAt: NOW, finishedAt: LATER },
    };
    expect(valid(map(history, moved))).toEqual({
      ...envelope('school.moved'),
      data: { ...school, server: 'pg-2', status: 'active', fromServer: 'central', toServer: 'pg-2', downtimeMs: 213 },
    });
  });

  it('SchoolCredentialsRotated → school.credentials_rotated with the generation, never a key', () => {
    const rotated: SchoolEvent = {
      type: 'SchoolCredentialsRotated',
      data: { keyId: 'k2', previousKeyId: 'default', generation: 2, startedAt: NOW, finishedAt: LATER },
    };
    const event = valid(map(live(), rotated));
    expect(event).toEqual({
      ...envelope('school.credentials_rotated'),
      data: { ...school, server: 'central', status: 'active', generation: 2 },
    });
    expect(JSON.stringify(event)).not.toMatch(/k2|default/);
  });

  it('CertificateRenewed → school.certificate_renewed with the new serial and expiry', () => {
    const renewed = ev.renewed();
    expect(valid(map(live(), renewed))).toEqual({
      ...envelope('school.certificate_renewed'),
      data: {
        ...school,
        server: 'central',
        status: 'active',
        serialNumber: 'cd34',
        notAfter: '2027-03-01T10:00:00.000Z',
      },
    });
  });

  it('SchoolDetailsChanged → school.details_changed with the new values only', () => {
    const changed: SchoolEvent = {
      type: 'SchoolDetailsChanged',
      data: { changes: { board: 'ICSE' }, previous: { board: 'CBSE' }, changedAt: LATER },
    };
    const event = valid(map(live(), changed));
    expect(event).toEqual({
      ...envelope('school.details_changed'),
      data: { ...school, server: 'central', status: 'active', changes: { board: 'ICSE' }, changedAt: LATER },
    });
    expect(JSON.stringify(event)).not.toContain('CBSE');
  });

  it('SchoolSuspended → school.suspended with the reason, SchoolResumed → school.resumed', () => {
    const run = { attempt: 1, startedAt: LATER, finishedAt: LATER };
    const requested: SchoolEvent = {
      type: 'SchoolSuspensionRequested',
      data: { reason: 'contract lapsed', requestedAt: LATER, statusBefore: 'active' },
    };
    const suspended: SchoolEvent = {
      type: 'SchoolSuspended',
      data: { ...run, reason: 'contract lapsed', terminatedSessions: 1 },
    };
    expect(map(live(), requested)).toBeUndefined();
    expect(valid(map([...live(), requested], suspended))).toEqual({
      ...envelope('school.suspended'),
      data: { ...school, server: 'central', status: 'suspended', reason: 'contract lapsed' },
    });
    const resumeRequested: SchoolEvent = {
      type: 'SchoolResumeRequested',
      data: { requestedAt: LATER, statusBefore: 'suspended' },
    };
    const resumed: SchoolEvent = { type: 'SchoolResumed', data: run };
    expect(valid(map([...live(), requested, suspended, resumeRequested], resumed))).toEqual({
      ...envelope('school.resumed'),
      data: { ...school, server: 'central', status: 'active' },
    });
  });

  it('SchoolRestored → school.restored with when its archive was made; SchoolRestoreFailed → school.restore_failed', () => {
    const run = { attempt: 1, startedAt: NOW, finishedAt: NOW };
    const archive = { location: '/a/school.jsonl.gz', format: 'scs-jsonl-v1', bytes: 10, sha256: 'e'.repeat(64) };
    const databaseName = school.databaseName;
    const deleted: SchoolEvent[] = [
      ...live(),
      { type: 'TeardownRequested', data: { requestedAt: NOW, statusBefore: 'active' } },
      { type: 'DatabaseDropped', data: { ...run, databaseName, existed: true, terminatedConnections: 0, archive } },
      { type: 'SchoolDeleted', data: { deletedAt: NOW } },
      {
        type: 'SchoolRestoreRequested',
        data: { requestedAt: LATER, archive: { ...archive, archivedAt: NOW }, notify: false, statusBefore: 'deleted' },
      },
    ];
    const restored: SchoolEvent = { type: 'SchoolRestored', data: { restoredAt: LATER, durationMs: 5 } };
    expect(valid(map(deleted, restored))).toEqual({
      ...envelope('school.restored'),
      data: { ...school, server: 'central', status: 'active', restoredAt: LATER, archivedAt: NOW },
    });
    const failed: SchoolEvent = {
      type: 'SchoolRestoreFailed',
      data: { failedStep: 'create_database', reason: 'damaged', finishedAt: LATER },
    };
    expect(valid(map(deleted, failed))).toEqual({
      ...envelope('school.restore_failed'),
      data: { ...school, server: 'central', status: 'deleted', failedStep: 'create_database', reason: 'damaged' },
    });
  });

  it('the steps and other internal events make none', () => {
    const history = live();
    for (let i = 1; i < history.length - 1; i++) expect(map(history.slice(0, i), history[i])).toBeUndefined();
    const attempt: SchoolEvent = {
      type: 'StepAttemptFailed',
      data: { step: 'create_dns', attempt: 1, error: 'x', startedAt: NOW, finishedAt: NOW, retryAt: LATER },
    };
    expect(map(history.slice(0, 4), attempt)).toBeUndefined();
  });

  it('the same domain event always makes the same event (a redelivery is recognisable by its id)', () => {
    const history = live();
    expect(map(history.slice(0, -1), history[history.length - 1])).toEqual(
      map(history.slice(0, -1), history[history.length - 1]),
    );
  });

  it('every type was produced above, and the schemas refuse what they do not describe', () => {
    expect(new Set(produced.map((e) => e.type))).toEqual(new Set(INTEGRATION_EVENT_TYPES));
    const event = produced[0];
    for (const broken of [
      { ...event, data: { ...event.data, extra: 1 } },
      { ...event, data: { ...event.data, status: 'sleeping' } },
      { ...event, specversion: '0.3' },
      { ...event, type: 'school.provisioned' },
    ]) {
      const validate = ajv.compile(schemas[event.type]);
      expect(validate(broken)).toBe(false);
    }
    const probe = testEvent(EVENT_ID, SCHOOL_ID, NOW, SOURCE);
    expect(ajv.compile(schemas['webhook.test'])(probe)).toBe(true);
  });
});
