import type { SchoolCommand } from './commands.js';
import { CHANGEABLE_FIELDS, type ChangeableDetails, validateSchoolDetails } from './details.js';
import { DomainError, WrongStatusError } from './errors.js';
import type { SchoolEvent } from './events.js';
import { SUCCESS_EVENT } from './events.js';
import { evolve } from './evolve.js';
import { serverOf } from './placement.js';
import { isForward, isUndoing, lifecycleAction, nextStep, pendingCompensations } from './plan.js';
import { requestRestore } from './restore.js';
import { isDeliveryBehind } from './renewal.js';
import { isLive, type SchoolState } from './state.js';
import { reasonProblem } from './suspension.js';
import { CRITICAL, isCompensationName, isLifecycleAction, type StepName } from './steps.js';

/** Decides which events a command produces, given the school's state. Pure. */
export function decide(command: SchoolCommand, state: SchoolState | undefined): SchoolEvent[] {
  switch (command.type) {
    case 'RequestSchool': {
      if (state) throw new DomainError('school_already_exists', `school ${command.data.schoolId} already exists`);
      const { schoolId, details, databaseName, subdomain, slugStream, slugRevision, now } = command.data;
      const checked = validateSchoolDetails(details, { reservedSlugs: new Set(command.data.reservedSlugs) });
      if (Array.isArray(checked))
        throw new DomainError('invalid_details', checked.map((e) => `${e.field} ${e.message}`).join('; '));
      return [
        { type: 'SchoolRequested', data: { schoolId, ...checked, databaseName, subdomain, requestedAt: now } },
        {
          type: 'SlugReserved',
          data: { slug: checked.slug, slugStream, slugRevision, attempt: 1, startedAt: now, finishedAt: now },
        },
      ];
    }
    case 'RequestTeardown': {
      const school = existing(state);
      if (school.status === 'deleted')
        throw new DomainError('school_deleted', `school ${school.id} is already deleted`);
      if (school.status === 'deprovisioning') return [];
      return [{ type: 'TeardownRequested', data: { requestedAt: command.data.now, statusBefore: school.status } }];
    }
    case 'RequestRestore':
      return requestRestore(existing(state), command.data);
    case 'ChangeDetails':
      return changeDetails(existing(state), command.data);
    case 'RequestSuspension': {
      const school = existing(state);
      const { reason, now } = command.data;
      const problem = reasonProblem(reason);
      if (problem) throw new DomainError('invalid_details', `reason ${problem}`);
      refuseUnless(school, ['active', 'resuming'], 'only an active school (or one resuming) can be suspended');
      return [{ type: 'SchoolSuspensionRequested', data: { reason, requestedAt: now, statusBefore: school.status } }];
    }
    case 'RequestResume': {
      const school = existing(state);
      refuseUnless(school, ['suspended', 'suspending'], 'only a suspended school (or one being suspended) can resume');
      return [{ type: 'SchoolResumeRequested', data: { requestedAt: command.data.now, statusBefore: school.status } }];
    }
    case 'RecordStepResult': {
      const school = existing(state);
      const { action, event, now } = command.data;
      if (SUCCESS_EVENT[action] !== event.type) {
        throw new DomainError('unexpected_result', `${action} cannot be recorded by ${event.type}`);
      }
      // Recorded while still wanted: a repeat, or one overtaken by a teardown, is not news.
      if (isLifecycleAction(action)) return lifecycleAction(school) === action ? [event] : [];
      // A fact is recorded once; a re-run after a crash reports it again and is ignored.
      const already = isCompensationName(action)
        ? school.undo[action]?.status === 'succeeded'
        : ['succeeded', 'warning'].includes(school.steps[action].status);
      if (already) return [];
      return withConclusion(school, [event], now);
    }
    case 'RecordStepFailure': {
      const school = existing(state);
      const { action, attempt, error, permanent, maxAttempts, retryAt, startedAt, finishedAt, now } = command.data;
      // A lifecycle action is retried until it succeeds (as an undo is), while it is still wanted.
      if (isLifecycleAction(action)) {
        if (lifecycleAction(school) !== action) return [];
        return [{ type: 'StepAttemptFailed', data: { step: action, attempt, error, startedAt, finishedAt, retryAt } }];
      }
      if (isCompensationName(action)) {
        if (!isUndoing(school) || school.undo[action]?.status === 'succeeded') return [];
        // An undo is never abandoned: giving up would leave an orphan. It is retried until it succeeds.
        return [{ type: 'StepAttemptFailed', data: { step: action, attempt, error, startedAt, finishedAt, retryAt } }];
      }
      if (!isForward(school) || nextStep(school) !== action) return [];
      if (!permanent && attempt < maxAttempts) {
        return [{ type: 'StepAttemptFailed', data: { step: action, attempt, error, startedAt, finishedAt, retryAt } }];
      }
      const reason = permanent ? error : `${error} (gave up after ${attempt} attempts)`;
      if (!CRITICAL[action]) {
        return withConclusion(
          school,
          [{ type: 'NonCriticalStepFailed', data: { step: action, attempt, startedAt, finishedAt, error: reason } }],
          now,
        );
      }
      return withConclusion(
        school,
        [
          {
            type: 'ProvisioningStepFailed',
            data: { step: action as StepName, attempt, startedAt, finishedAt, error: reason },
          },
          { type: 'RollbackStarted', data: { failedStep: action as StepName, reason } },
        ],
        now,
      );
    }
    case 'RecordCertificateRenewal': {
      const school = existing(state);
      const current = school.resources.certificate;
      // Only a live school's current certificate is replaced; a stale or repeated renewal changes nothing.
      if (!isLive(school) || !current || current.serialNumber !== command.data.event.data.previousSerialNumber)
        return [];
      return [command.data.event];
    }
    case 'RecordCertificateRenewalFailure': {
      const school = existing(state);
      const { serialNumber, attempt, error, retryAt, startedAt, finishedAt } = command.data;
      if (!isLive(school) || school.resources.certificate?.serialNumber !== serialNumber) return [];
      return [
        { type: 'CertificateRenewalFailed', data: { serialNumber, attempt, error, retryAt, startedAt, finishedAt } },
      ];
    }
    case 'RecordCertificateDelivery': {
      const school = existing(state);
      const delivered = command.data.event.data;
      // Only the live certificate, and only when it is news: a repeat or a stale delivery changes nothing.
      if (school.resources.certificate?.serialNumber !== delivered.serialNumber) return [];
      if (!isDeliveryBehind(school, delivered.delivery)) return [];
      return [command.data.event];
    }
    case 'RecordCredentialsRotation': {
      const school = existing(state);
      const { keyId, generation, startedAt, finishedAt, credentials } = command.data;
      // Recorded once: a repeat after a crash, or a school no longer live, changes nothing.
      if (!isLive(school) || generation !== nextCredentialsGeneration(school)) return [];
      const previousKeyId = school.credentials?.keyId ?? null;
      const delivered = credentials ? { credentials } : {};
      return [
        {
          type: 'SchoolCredentialsRotated',
          data: { keyId, previousKeyId, generation, startedAt, finishedAt, ...delivered },
        },
      ];
    }
    case 'RecordSchemaUpgrade': {
      const school = existing(state);
      const { now: _now, ...data } = command.data;
      // Only a live school's upgrade is news; one already recorded (a resumed rollout) is not. Moving to
      // Drizzle's table is news even at the same version.
      if (!isLive(school) || !school.schemaVersion) return [];
      const movesToDrizzle = data.recordedIn === 'drizzle' && school.schemaRecordedIn !== 'drizzle';
      if (school.schemaVersion >= data.to && !movesToDrizzle) return [];
      return [{ type: 'SchoolSchemaUpgraded', data: { ...data, from: school.schemaVersion } }];
    }
    case 'RecordSchemaUpgradeFailure': {
      const school = existing(state);
      const { now: _now, applied, ...data } = command.data;
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
    }
    case 'StartMove': {
      const school = existing(state);
      const { to, now } = command.data;
      const from = serverOf(school);
      if (school.move?.to === to) return []; // a resumed move
      const refuse = (why: string) => new DomainError('move_refused', `school ${school.id} ${why}`);
      if (school.status !== 'active') throw refuse(`is ${school.status}, not active`);
      if (school.move) throw refuse(`is already moving to ${school.move.to}`);
      if (from === to) throw refuse(`is already on ${to}`);
      return [{ type: 'SchoolMoveStarted', data: { from, to, startedAt: now } }];
    }
    case 'RecordMove': {
      const school = existing(state);
      const { now: _now, ...data } = command.data;
      if (school.move?.to !== data.to) return [];
      return [{ type: 'SchoolMoved', data: { ...data, from: serverOf(school) } }];
    }
    case 'RecordMoveFailure': {
      const school = existing(state);
      const { now: _now, ...data } = command.data;
      if (school.move?.to !== data.to) return [];
      return [{ type: 'SchoolMoveFailed', data: { ...data, from: serverOf(school) } }];
    }
    case 'RecordCredentialsRead': {
      const school = existing(state);
      if (school.status === 'deleted') throw new DomainError('school_deleted', `school ${school.id} is deleted`);
      if (school.status !== 'active')
        throw new DomainError('school_not_active', `school ${school.id} is ${school.status}, not active`);
      const keyId = school.credentials?.keyId ?? null; // null: made before key ids
      const generation = school.credentials?.generation ?? 0;
      const { actor, now } = command.data;
      return [{ type: 'SchoolCredentialsRead', data: { actor, keyId, generation, readAt: now } }];
    }
    case 'Conclude':
      return withConclusion(existing(state), [], command.data.now);
    default: {
      const never: never = command;
      return never;
    }
  }
}

/**
 * The changed fields as one event, with the values they replace; none changed, no event. Refused when the
 * school moved on from the revision the caller saw, and once it is being or has been torn down.
 */
function changeDetails(
  school: SchoolState,
  { changes, expectedRevision, now }: Extract<SchoolCommand, { type: 'ChangeDetails' }>['data'],
): SchoolEvent[] {
  if (expectedRevision !== undefined && school.revision !== expectedRevision) {
    const detail = `school ${school.id} is at revision ${school.revision}, not ${expectedRevision}`;
    throw new DomainError('revision_mismatch', detail);
  }
  if (school.status === 'deleted') throw new DomainError('school_deleted', `school ${school.id} is deleted`);
  if (school.status === 'deprovisioning') {
    throw new WrongStatusError(school.status, `school ${school.id} is being torn down; its details cannot change`);
  }
  const changed = CHANGEABLE_FIELDS.filter((f) => changes[f] !== undefined && changes[f] !== school.details[f]);
  if (changed.length === 0) return [];
  const pick = (from: Partial<ChangeableDetails>) => Object.fromEntries(changed.map((f) => [f, from[f]]));
  return [
    { type: 'SchoolDetailsChanged', data: { changes: pick(changes), previous: pick(school.details), changedAt: now } },
  ];
}

/** Refuses a command the school's status does not allow: 410 once deleted, else 409 with the status. */
function refuseUnless(school: SchoolState, allowed: readonly string[], rule: string): void {
  if (school.status === 'deleted') throw new DomainError('school_deleted', `school ${school.id} is deleted`);
  if (!allowed.includes(school.status)) {
    throw new WrongStatusError(school.status, `school ${school.id} is ${school.status}; ${rule}`);
  }
}

/** The generation a school's next credentials rotation makes. */
export function nextCredentialsGeneration(state: SchoolState): number {
  return (state.credentials?.generation ?? 0) + 1;
}

function existing(state: SchoolState | undefined): SchoolState {
  if (!state) throw new DomainError('school_not_found', 'no such school');
  return state;
}

/** Appends the closing event when the given events leave nothing more to do. */
function withConclusion(state: SchoolState, events: SchoolEvent[], now: string): SchoolEvent[] {
  let after: SchoolState | undefined = state;
  for (const event of events) after = evolve(after, event);
  if (!after) return events;
  if (isForward(after) && nextStep(after) === undefined) {
    if (after.restore) {
      const durationMs = Date.parse(now) - Date.parse(after.restore.requestedAt);
      return [...events, { type: 'SchoolRestored', data: { restoredAt: now, durationMs } }];
    }
    const durationMs = Date.parse(now) - Date.parse(after.createdAt);
    return [...events, { type: 'SchoolProvisioned', data: { provisionedAt: now, durationMs } }];
  }
  if (isUndoing(after) && pendingCompensations(after).length === 0) {
    if (after.status === 'deprovisioning') return [...events, { type: 'SchoolDeleted', data: { deletedAt: now } }];
    const failure = after.failure ?? { step: 'reserve_slug' as StepName, reason: 'rolled back' };
    if (after.restore) {
      const failed = { failedStep: failure.step, reason: failure.reason, finishedAt: now };
      return [...events, { type: 'SchoolRestoreFailed', data: failed }];
    }
    return [
      ...events,
      { type: 'SchoolRolledBack', data: { failedStep: failure.step, reason: failure.reason, finishedAt: now } },
    ];
  }
  return events;
}
