import { type Decisions, existing } from './decider.js';
import { DomainError } from './errors.js';
import type { SchoolEvent } from './events.js';
import { serverOf } from './placement.js';
import { isDeliveryBehind } from './renewal.js';
import { isLive, type SchoolState } from './state.js';

/** The generation a school's next credentials rotation makes. */
export function nextCredentialsGeneration(state: SchoolState): number {
  return (state.credentials?.generation ?? 0) + 1;
}

/** A live school's certificate renewed and delivered again. */
export const CERTIFICATES: Decisions<
  'RecordCertificateRenewal' | 'RecordCertificateRenewalFailure' | 'RecordCertificateDelivery'
> = {
  RecordCertificateRenewal: ({ event }, state) => {
    const school = existing(state);
    const current = school.resources.certificate;
    // Only a live school's current certificate is replaced; a stale or repeated renewal changes nothing.
    if (!isLive(school) || !current || current.serialNumber !== event.data.previousSerialNumber) return [];
    return [event];
  },
  RecordCertificateRenewalFailure: ({ serialNumber, attempt, error, retryAt, startedAt, finishedAt }, state) => {
    const school = existing(state);
    if (!isLive(school) || school.resources.certificate?.serialNumber !== serialNumber) return [];
    return [
      { type: 'CertificateRenewalFailed', data: { serialNumber, attempt, error, retryAt, startedAt, finishedAt } },
    ];
  },
  RecordCertificateDelivery: ({ event }, state) => {
    const school = existing(state);
    // Only the live certificate, and only when it is news: a repeat or a stale delivery changes nothing.
    if (school.resources.certificate?.serialNumber !== event.data.serialNumber) return [];
    return isDeliveryBehind(school, event.data.delivery) ? [event] : [];
  },
};

/** The school database's password: rotated, and read by a client (an audit fact). */
export const CREDENTIALS: Decisions<'RecordCredentialsRotation' | 'RecordCredentialsRead'> = {
  RecordCredentialsRotation: ({ keyId, generation, startedAt, finishedAt, credentials }, state) => {
    const school = existing(state);
    // Recorded once: a repeat after a crash, or a school no longer live, changes nothing.
    if (!isLive(school) || generation !== nextCredentialsGeneration(school)) return [];
    const previousKeyId = school.credentials?.keyId ?? null;
    const delivered = credentials ? { credentials } : {};
    const data = { keyId, previousKeyId, generation, startedAt, finishedAt, ...delivered };
    return [{ type: 'SchoolCredentialsRotated', data }];
  },
  RecordCredentialsRead: ({ actor, now }, state) => {
    const school = existing(state);
    if (school.status === 'deleted') throw new DomainError('school_deleted', `school ${school.id} is deleted`);
    if (school.status !== 'active')
      throw new DomainError('school_not_active', `school ${school.id} is ${school.status}, not active`);
    const keyId = school.credentials?.keyId ?? null; // null: made before key ids
    const generation = school.credentials?.generation ?? 0;
    return [{ type: 'SchoolCredentialsRead', data: { actor, keyId, generation, readAt: now } }];
  },
};

/** A live school's schema brought to a newer version by a rollout, or its failure. */
export const SCHEMA: Decisions<'RecordSchemaUpgrade' | 'RecordSchemaUpgradeFailure'> = {
  RecordSchemaUpgrade: ({ now: _now, ...data }, state) => {
    const school = existing(state);
    // Only a live school's upgrade is news; one already recorded (a resumed rollout) is not. Moving to
    // Drizzle's table is news even at the same version.
    if (!isLive(school) || !school.schemaVersion) return [];
    const movesToDrizzle = data.recordedIn === 'drizzle' && school.schemaRecordedIn !== 'drizzle';
    if (school.schemaVersion >= data.to && !movesToDrizzle) return [];
    return [{ type: 'SchoolSchemaUpgraded', data: { ...data, from: school.schemaVersion } }];
  },
  RecordSchemaUpgradeFailure: ({ now: _now, applied, ...data }, state) => {
    const school = existing(state);
    if (!isLive(school) || !school.schemaVersion) return [];
    // Migrations before the failing one committed: the school really is on the newer version now.
    const from = school.schemaVersion;
    const version = data.version > from ? data.version : from;
    const { databaseName, attempt, startedAt, finishedAt } = data;
    const upgraded: SchoolEvent[] =
      version > from
        ? [
            {
              type: 'SchoolSchemaUpgraded',
              data: {
                databaseName,
                from,
                to: version,
                migrations: applied,
                durationMs: 0,
                attempt,
                startedAt,
                finishedAt,
              },
            },
          ]
        : [];
    return [...upgraded, { type: 'SchoolSchemaUpgradeFailed', data: { ...data, version } }];
  },
};

/** A school's database moved to another tenant server. */
export const MOVES: Decisions<'StartMove' | 'RecordMove' | 'RecordMoveFailure'> = {
  StartMove: ({ to, now }, state) => {
    const school = existing(state);
    const from = serverOf(school);
    if (school.move?.to === to) return []; // a resumed move
    const refuse = (why: string) => new DomainError('move_refused', `school ${school.id} ${why}`);
    if (school.status !== 'active') throw refuse(`is ${school.status}, not active`);
    if (school.move) throw refuse(`is already moving to ${school.move.to}`);
    if (from === to) throw refuse(`is already on ${to}`);
    return [{ type: 'SchoolMoveStarted', data: { from, to, startedAt: now } }];
  },
  RecordMove: ({ now: _now, ...data }, state) => {
    const school = existing(state);
    return school.move?.to !== data.to ? [] : [{ type: 'SchoolMoved', data: { ...data, from: serverOf(school) } }];
  },
  RecordMoveFailure: ({ now: _now, ...data }, state) => {
    const school = existing(state);
    return school.move?.to !== data.to ? [] : [{ type: 'SchoolMoveFailed', data: { ...data, from: serverOf(school) } }];
  },
};
