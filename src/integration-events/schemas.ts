import { SCHOOL_STATUSES } from '../domain/school/state.js';
import { STEPS } from '../domain/school/steps.js';
import {
  dataschemaOf,
  INTEGRATION_EVENT_TYPES,
  TEST_EVENT_TYPE,
  type IntegrationEventData,
  type IntegrationEventType,
  type SchoolSnapshot,
} from './integration-events.js';

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses), as plain data. */
export type JsonSchema = Record<string, unknown>;

const text = { type: 'string' };
const time = { type: 'string', format: 'date-time' };

const SNAPSHOT: Record<keyof SchoolSnapshot, JsonSchema> = {
  id: { type: 'string', format: 'uuid', description: 'the school id (also the event subject)' },
  slug: text,
  subdomain: { type: 'string', description: '<slug>.<BASE_DOMAIN>' },
  databaseName: text,
  server: { type: ['string', 'null'], description: 'the tenant server its database is on; null before placement' },
  status: { type: 'string', enum: [...SCHOOL_STATUSES] },
};

/** Each type's members beside the snapshot (the compiler holds them to IntegrationEventData). */
const OWN: {
  [T in IntegrationEventType]: Record<Exclude<keyof IntegrationEventData[T], keyof SchoolSnapshot>, JsonSchema>;
} = {
  'school.requested': { name: text, district: text, board: text },
  'school.provisioned': { provisionedAt: time },
  'school.failed': { failedStep: { type: 'string', enum: [...STEPS] }, reason: text },
  'school.deleted': { deletedAt: time },
  'school.schema_upgraded': { fromVersion: text, toVersion: text },
  'school.moved': { fromServer: text, toServer: text, downtimeMs: { type: 'integer', minimum: 0 } },
  'school.credentials_rotated': { generation: { type: 'integer', minimum: 0 } },
  'school.certificate_renewed': { serialNumber: text, notAfter: time },
  'school.details_changed': {
    changes: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: { name: text, district: text, board: text, adminEmail: text, phone: text },
    },
    changedAt: time,
  },
  'school.suspended': { reason: text },
  'school.resumed': {},
  'school.restored': { restoredAt: time, archivedAt: time },
  'school.restore_failed': { failedStep: { type: 'string', enum: [...STEPS] }, reason: text },
};

const DESCRIPTIONS: Record<IntegrationEventType | typeof TEST_EVENT_TYPE, string> = {
  'school.requested': 'a school was requested (POST /school); provisioning starts',
  'school.provisioned': 'every step succeeded: the school is active',
  'school.failed': 'a critical step failed for good and what was done is undone: the school is failed',
  'school.deleted': 'a teardown finished: the school is deleted',
  'school.schema_upgraded': "the school's database was brought to a newer school schema",
  'school.moved': "the school's database moved to another tenant server",
  'school.credentials_rotated': "the school's database password was rotated (the registry has the new one)",
  'school.certificate_renewed': "the school's TLS certificate was renewed",
  'school.details_changed': "the school's details were changed (PATCH /school/:id): the new values",
  'school.suspended': 'the school is suspended: its role cannot log in and its name points at the maintenance target',
  'school.resumed': 'a suspended school is active again',
  'school.restored': 'a deleted school was restored from its archive (same id and slug): it is active again',
  'school.restore_failed': "a deleted school's restore failed and what it made is undone: the school stays deleted",
  [TEST_EVENT_TYPE]: 'sent by `scs webhooks test` / POST /webhooks/{id}/test only',
};

function envelope(type: string, data: JsonSchema, subject: JsonSchema): JsonSchema {
  return {
    type: 'object',
    description: DESCRIPTIONS[type as IntegrationEventType],
    required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'data'],
    additionalProperties: false,
    properties: {
      specversion: { const: '1.0' },
      id: { type: 'string', description: 'stable per domain event: a redelivery carries the same id' },
      source: { type: 'string', format: 'uri-reference' },
      type: { const: type },
      subject: subject,
      time: time,
      datacontenttype: { const: 'application/json' },
      dataschema: { const: dataschemaOf(type) },
      data,
    },
  };
}

function object(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', required: Object.keys(properties), additionalProperties: false, properties };
}

/** One JSON Schema per public event type (CloudEvents 1.0, structured JSON), keyed by type. */
export function integrationEventSchemas(): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {};
  for (const type of INTEGRATION_EVENT_TYPES)
    schemas[type] = envelope(type, object({ ...SNAPSHOT, ...OWN[type] }), { type: 'string', format: 'uuid' });
  schemas[TEST_EVENT_TYPE] = envelope(
    TEST_EVENT_TYPE,
    object({ endpointId: { type: 'string', format: 'uuid' }, sentAt: time }),
    {
      type: 'string',
      format: 'uuid',
    },
  );
  return schemas;
}
