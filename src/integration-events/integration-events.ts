import type { SchoolEvent, SchoolEventType } from '../domain/school/events.js';
import type { SchoolState, SchoolStatus } from '../domain/school/state.js';
import type { StepName } from '../domain/school/steps.js';

/**
 * The public events other services read (webhooks, the event stream): CloudEvents 1.0 JSON objects,
 * mapped from the domain events here and nowhere else, so the domain events stay free to change. A
 * change a consumer would notice is a new `dataschema` version (and a new type if the meaning changes).
 */
const INTEGRATION_EVENT_VERSION = 1;

/** The domain event each public type is made from; any other domain event makes none. */
const MADE_FROM = {
  SchoolRequested: 'school.requested',
  SchoolProvisioned: 'school.provisioned',
  SchoolRolledBack: 'school.failed',
  SchoolDeleted: 'school.deleted',
  SchoolSchemaUpgraded: 'school.schema_upgraded',
  SchoolMoved: 'school.moved',
  SchoolCredentialsRotated: 'school.credentials_rotated',
  CertificateRenewed: 'school.certificate_renewed',
  SchoolDetailsChanged: 'school.details_changed',
  SchoolSuspended: 'school.suspended',
  SchoolResumed: 'school.resumed',
  SchoolRestored: 'school.restored',
  SchoolRestoreFailed: 'school.restore_failed',
} as const satisfies Partial<Record<SchoolEventType, string>>;

export type IntegrationEventType = (typeof MADE_FROM)[keyof typeof MADE_FROM];
export const INTEGRATION_EVENT_TYPES: readonly IntegrationEventType[] = Object.values(MADE_FROM);

/** Sent by `scs webhooks test` and `POST /webhooks/:id/test` only: never made from a domain event. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** Whether a domain event of this type makes a public one (subscribers skip the others unread). */
export function makesIntegrationEvent(domainType: string): boolean {
  return Object.hasOwn(MADE_FROM, domainType);
}

/** The public type a domain event of this type makes (undefined: none). */
export function integrationTypeOf(domainType: string): IntegrationEventType | undefined {
  return Object.hasOwn(MADE_FROM, domainType) ? MADE_FROM[domainType as keyof typeof MADE_FROM] : undefined;
}

export function isIntegrationEventType(value: string): value is IntegrationEventType {
  return (INTEGRATION_EVENT_TYPES as readonly string[]).includes(value);
}

/** What every school event's `data` says about the school, as it is once the event happened. */
export interface SchoolSnapshot {
  id: string;
  slug: string;
  subdomain: string;
  databaseName: string;
  /** The tenant server its database is on; null before `create_database` placed it. */
  server: string | null;
  status: SchoolStatus;
}

/** Each type's own members, beside the snapshot. */
export interface IntegrationEventData {
  'school.requested': SchoolSnapshot & { name: string; district: string; board: string };
  'school.provisioned': SchoolSnapshot & { provisionedAt: string };
  'school.failed': SchoolSnapshot & { failedStep: StepName; reason: string };
  'school.deleted': SchoolSnapshot & { deletedAt: string };
  'school.schema_upgraded': SchoolSnapshot & { fromVersion: string; toVersion: string };
  'school.moved': SchoolSnapshot & { fromServer: string; toServer: string; downtimeMs: number };
  'school.credentials_rotated': SchoolSnapshot & { generation: number };
  'school.certificate_renewed': SchoolSnapshot & { serialNumber: string; notAfter: string };
  'school.details_changed': SchoolSnapshot & { changes: Record<string, string>; changedAt: string };
  'school.suspended': SchoolSnapshot & { reason: string };
  'school.resumed': SchoolSnapshot;
  'school.restored': SchoolSnapshot & { restoredAt: string; archivedAt: string };
  'school.restore_failed': SchoolSnapshot & { failedStep: StepName; reason: string };
}

export interface IntegrationEvent<T extends IntegrationEventType = IntegrationEventType> {
  specversion: '1.0';
  /** The domain event's id: the same event always makes the same id (a redelivery carries it again). */
  id: string;
  source: string;
  type: T;
  /** The school's id. */
  subject: string;
  /** When the domain event was decided. */
  time: string;
  datacontenttype: 'application/json';
  dataschema: string;
  data: IntegrationEventData[T];
}

/** A domain event as recorded: its id, and when it was decided. */
export type SourceEvent = SchoolEvent & { id: string; metadata: { now: string } };

export function dataschemaOf(type: string): string {
  return `urn:syncad:scs:${type}:v${INTEGRATION_EVENT_VERSION}`;
}

/**
 * The public event `event` makes, given the school's state right after it (`after`: the stream folded up
 * to and including it); undefined for a domain event with no public counterpart.
 */
export function toIntegrationEvent(
  event: SourceEvent,
  after: SchoolState,
  source: string,
): IntegrationEvent | undefined {
  const data = dataOf(event, snapshotOf(after), after.archive?.archivedAt);
  if (!data) return undefined;
  const type = MADE_FROM[event.type as keyof typeof MADE_FROM];
  return {
    specversion: '1.0',
    id: event.id,
    source,
    type,
    subject: after.id,
    time: event.metadata.now,
    datacontenttype: 'application/json',
    dataschema: dataschemaOf(type),
    data,
  };
}

function snapshotOf(state: SchoolState): SchoolSnapshot {
  return {
    id: state.id,
    slug: state.details.slug,
    subdomain: state.subdomain,
    databaseName: state.databaseName,
    server: state.server ?? null,
    status: state.status,
  };
}

function dataOf(
  event: SchoolEvent,
  school: SchoolSnapshot,
  archivedAt?: string,
): IntegrationEventData[IntegrationEventType] | undefined {
  switch (event.type) {
    case 'SchoolRequested': {
      const { name, district, board } = event.data;
      return { ...school, name, district, board };
    }
    case 'SchoolProvisioned':
      return { ...school, provisionedAt: event.data.provisionedAt };
    case 'SchoolRolledBack':
      return { ...school, failedStep: event.data.failedStep, reason: event.data.reason };
    case 'SchoolDeleted':
      return { ...school, deletedAt: event.data.deletedAt };
    case 'SchoolSchemaUpgraded':
      return { ...school, fromVersion: event.data.from, toVersion: event.data.to };
    case 'SchoolMoved':
      return { ...school, fromServer: event.data.from, toServer: event.data.to, downtimeMs: event.data.downtimeMs };
    case 'SchoolCredentialsRotated':
      return { ...school, generation: event.data.generation };
    case 'CertificateRenewed':
      return { ...school, serialNumber: event.data.serialNumber, notAfter: event.data.notAfter };
    case 'SchoolDetailsChanged':
      return {
        ...school,
        changes: { ...event.data.changes } as Record<string, string>,
        changedAt: event.data.changedAt,
      };
    case 'SchoolSuspended':
      return { ...school, reason: event.data.reason };
    case 'SchoolResumed':
      return { ...school };
    case 'SchoolRestored':
      return { ...school, restoredAt: event.data.restoredAt, archivedAt: archivedAt ?? event.data.restoredAt };
    case 'SchoolRestoreFailed':
      return { ...school, failedStep: event.data.failedStep, reason: event.data.reason };
    default:
      return undefined;
  }
}

/** The event `webhooks test` sends: it says which endpoint and when, nothing about a school. */
export interface TestEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: typeof TEST_EVENT_TYPE;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema: string;
  data: { endpointId: string; sentAt: string };
}

export function testEvent(id: string, endpointId: string, now: string, source: string): TestEvent {
  return {
    specversion: '1.0',
    id,
    source,
    type: TEST_EVENT_TYPE,
    subject: endpointId,
    time: now,
    datacontenttype: 'application/json',
    dataschema: dataschemaOf(TEST_EVENT_TYPE),
    data: { endpointId, sentAt: now },
  };
}
