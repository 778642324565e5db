import { randomUUID } from 'node:crypto';
import { nextCredentialsGeneration } from '../../domain/school/decide.js';
import { isLive, type SchoolState } from '../../domain/school/state.js';
import type { Clock } from '../../ports/clock.port.js';
import type { CredentialsDelivery } from '../../ports/credentials-delivery.port.js';
import { connectionOf, deliverConnection } from '../deliver-credentials/connection.js';
import type { EventMetadata, EventStore } from '../../ports/event-store.port.js';
import type { SchoolCredentialsPort } from '../../ports/school-credentials.port.js';
import type { SchoolRegistry } from '../../ports/school-registry.port.js';
import type { TenantServers } from '../../ports/tenant-servers.port.js';
import { serverOf } from '../../domain/school/placement.js';
import type { FaultPoints } from '../../ports/fault-points.port.js';
import { describeError } from '../../shared/describe-error.js';
import { allSchools } from '../all-schools.js';
import { executeSchoolCommand, loadSchool } from '../school-stream.js';

export interface RotationDeps {
  store: EventStore;
  /** The school's role lives on its tenant server. */
  servers: TenantServers;
  registry: SchoolRegistry;
  credentials: SchoolCredentialsPort;
  /** Where school apps get the new password (SCS_CREDENTIALS_DELIVERY); absent: `api`, nothing to deliver. */
  delivery?: CredentialsDelivery;
  faults: FaultPoints;
  clock: Clock;
}

export type RotationOutcome = 'rotated' | 'current' | 'not-live' | 'failed';

export interface RotationReport {
  rotated: number;
  /** Already on the active key (a re-run after a crash finds the ones done). */
  current: number;
  /** Not live (still provisioning, being suspended or resumed, being undone, deleted): left alone. */
  notLive: number;
  failed: Array<{ schoolId: string; error: string }>;
}

/** Live schools (suspended ones too) whose role's password was not made with the active key. */
export function onRetiredKey(state: SchoolState, activeKeyId: string): boolean {
  return isLive(state) && state.credentials?.keyId !== activeKeyId;
}

/**
 * Moves one school to new credentials under the active key, then `SchoolCredentialsRotated` records it.
 * On the central database's server the role's password and the registry's sealed copy change in one
 * transaction; on another tenant server the role changes first, then the row, so between them
 * (milliseconds; after a crash, until the re-run) the row holds the old password. The new password is derived
 * from the state (key id, generation + 1), so the re-run sets the
 * same password again, seals it, delivers it (SCS_CREDENTIALS_DELIVERY) and records it. `force` rotates a
 * school already on the active key (a new
 * generation: a suspected leak of its password).
 */
async function rotateSchool(
  deps: RotationDeps,
  schoolId: string,
  options: { force: boolean; actor: string },
): Promise<RotationOutcome> {
  const { state, events } = await loadSchool(deps.store, schoolId);
  if (!state || !isLive(state)) return 'not-live';
  const keyId = deps.credentials.activeKeyId;
  if (!options.force && !onRetiredKey(state, keyId)) return 'current';
  const generation = nextCredentialsGeneration(state);
  const startedAt = deps.clock.now().toISOString();
  const password = deps.credentials.passwordFor(schoolId, { keyId, generation });
  deps.faults.beforeStep('rotate_credentials', 1);
  const role = deps.credentials.roleFor(state.databaseName);
  const sealed = deps.credentials.encrypt(password);
  const server = serverOf(state);
  if (deps.servers.sharesCentral(server)) {
    // The role and the registry on one server: both change in one transaction.
    const { replaced } = await deps.registry.replaceCredentials(schoolId, { role, password, sealed });
    if (!replaced) return 'not-live';
  } else {
    // The role first, on the school's tenant server; then the registry's copy in the central database.
    const { changed } = await deps.servers.on(server).setOwnerPassword(state.databaseName, { role, password });
    if (!changed) return 'not-live';
    const { replaced } = await deps.registry.replaceSealedPassword(schoolId, { role, sealed });
    if (!replaced) return 'not-live';
  }
  // Delivered before it is recorded: a crash in between delivers the same password again on the re-run.
  const connection = connectionOf(state, deps, { keyId, generation });
  const credentials = deps.delivery ? await deliverConnection(deps.delivery, state, connection) : undefined;
  deps.faults.afterSideEffect('rotate_credentials', schoolId);
  const finishedAt = deps.clock.now().toISOString();
  const metadata: EventMetadata = {
    actor: options.actor,
    correlationId: events[0]?.metadata.correlationId ?? schoolId,
    causationId: randomUUID(),
    now: finishedAt,
  };
  const result = await executeSchoolCommand(
    deps.store,
    schoolId,
    () => ({
      type: 'RecordCredentialsRotation',
      data: { keyId, generation, startedAt, finishedAt, now: finishedAt, ...(credentials && { credentials }) },
    }),
    metadata,
    { clock: deps.clock },
  );
  return result.events.length > 0 ? 'rotated' : 'not-live';
}

/**
 * Rotates every live school on a retired key (or only `only`), `concurrency` at a time. Resumable: a
 * school is chosen by what its events say, so a second run does the ones the first did not finish.
 */
export async function rotateCredentials(
  deps: RotationDeps,
  options: {
    only?: string;
    concurrency: number;
    actor: string;
    onStart?: (total: number) => void;
    onSchool?: (outcome: RotationOutcome) => void;
  },
): Promise<RotationReport> {
  const ids = options.only
    ? [options.only]
    : [...(await allSchools(deps.store)).values()]
        .filter((s) => onRetiredKey(s, deps.credentials.activeKeyId))
        .map((s) => s.id);
  options.onStart?.(ids.length);
  const report: RotationReport = { rotated: 0, current: 0, notLive: 0, failed: [] };
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      let outcome: RotationOutcome;
      try {
        outcome = await rotateSchool(deps, id, { force: options.only !== undefined, actor: options.actor });
      } catch (error) {
        outcome = 'failed';
        report.failed.push({ schoolId: id, error: describeError(error) });
      }
      if (outcome === 'rotated') report.rotated++;
      else if (outcome === 'current') report.current++;
      else if (outcome === 'not-live') report.notLive++;
      options.onSchool?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, ids.length)) }, worker));
  return report;
}
