import { randomUUID } from 'node:crypto';
import type { SchoolCommand } from '../../domain/school/commands.js';
import { serverOf } from '../../domain/school/placement.js';
import type { SchoolState } from '../../domain/school/state.js';
import { describeError } from '../../shared/describe-error.js';
import type { Clock } from '../../ports/clock.port.js';
import { connectionOf, deliverConnection } from '../deliver-credentials/connection.js';
import type { CredentialsDelivery } from '../../ports/credentials-delivery.port.js';
import type { EventMetadata, EventStore } from '../../ports/event-store.port.js';
import type { SchoolCredentialsPort } from '../../ports/school-credentials.port.js';
import type { SchoolRegistry } from '../../ports/school-registry.port.js';
import type { TenantServers } from '../../ports/tenant-servers.port.js';
import { executeSchoolCommand, loadSchool } from '../school-stream.js';

export interface MoveDeps {
  store: EventStore;
  servers: TenantServers;
  registry: SchoolRegistry;
  credentials: SchoolCredentialsPort;
  /** Where school apps get their connection (SCS_CREDENTIALS_DELIVERY): the new host once switched. */
  delivery?: CredentialsDelivery;
  clock: Clock;
}

export type MoveResult =
  | { moved: true; from: string; to: string; tables: number; rows: number; downtimeMs: number; oldDropped: boolean }
  | { moved: false; reason: string };

/**
 * Moves a live school's database to another tenant server: `SchoolMoveStarted`; a database made on `to`
 * (from its template, at the current schema); the source closed to sessions (the downtime starts) and its
 * rows copied; the owner role made on `to` with the school's password; the placement and the registry row
 * switched, and the connection delivered again (SCS_CREDENTIALS_DELIVERY: the new host); `SchoolMoved`
 * recorded (the downtime ends); only then the old database dropped. A failure before the switch opens the
 * source again, drops the copy and records `SchoolMoveFailed`. A crash after
 * `SchoolMoved` but before the drop leaves the old database, which the reconciler reports as an orphan.
 */
export async function moveSchool(deps: MoveDeps, schoolId: string, to: string, actor: string): Promise<MoveResult> {
  const plan = await planMove(deps, schoolId, to);
  if (!plan.ready) return { moved: false, reason: plan.reason };
  const { state, from } = plan;
  const metadata = (): EventMetadata => ({
    actor,
    correlationId: `move-${schoolId}`,
    causationId: randomUUID(),
    now: deps.clock.now().toISOString(),
  });
  const record = (command: SchoolCommand) =>
    executeSchoolCommand(deps.store, schoolId, () => command, metadata(), { clock: deps.clock });
  const startedAt = deps.clock.now().toISOString();
  const start = { to, now: startedAt };
  await record({ type: 'StartMove', data: start });
  const { databaseName } = state;
  let switched = false;
  try {
    const { tables, rows, blockedAt } = await copyAndSwitch(deps, state, from, to);
    switched = true;
    const moved = { ...state, server: to };
    const credentials = deps.delivery
      ? await deliverConnection(deps.delivery, moved, connectionOf(moved, deps))
      : undefined;
    const downtimeMs = Math.round(performance.now() - blockedAt);
    const finishedAt = deps.clock.now().toISOString();
    const data = {
      to,
      tables,
      rows,
      downtimeMs,
      startedAt,
      finishedAt,
      now: finishedAt,
      ...(credentials && { credentials }),
    };
    await record({ type: 'RecordMove', data });
    const dropped = await deps.servers
      .on(from)
      .drop(databaseName)
      .then(
        () => true,
        () => false,
      );
    return { moved: true, from, to, tables, rows, downtimeMs, oldDropped: dropped };
  } catch (error) {
    if (switched) throw error; // the copy is live and in the registry: recording is what is left (re-run)
    await undoCopy(deps, state, from, to);
    const finishedAt = deps.clock.now().toISOString();
    const data = { to, error: describeError(error), startedAt, finishedAt, now: finishedAt };
    await record({ type: 'RecordMoveFailure', data });
    return { moved: false, reason: `the move failed and was undone: ${describeError(error)}` };
  }
}

/**
 * Makes the database on `to`, copies the rows (the source is closed to sessions from then on: `blockedAt`),
 * secures the copy with the school's owner role and points the placement and the registry at `to`.
 */
async function copyAndSwitch(
  deps: MoveDeps,
  state: SchoolState,
  from: string,
  to: string,
): Promise<{ tables: number; rows: number; blockedAt: number }> {
  const { id: schoolId, databaseName } = state;
  await deps.servers.on(to).create(databaseName);
  const blockedAt = performance.now();
  const { tables, rows } = await deps.servers.copyDatabase(databaseName, from, to);
  const password = deps.credentials.passwordFor(schoolId, state.credentials);
  await deps.servers.on(to).secure(databaseName, { role: deps.credentials.roleFor(databaseName), password });
  await deps.servers.movePlacement(schoolId, to);
  await deps.registry.setServer(schoolId, to);
  return { tables, rows, blockedAt };
}

/** Before the switch took: the placement and registry back on `from`, the source open again, the copy dropped. */
async function undoCopy(deps: MoveDeps, state: SchoolState, from: string, to: string): Promise<void> {
  const { id: schoolId, databaseName } = state;
  await deps.servers.movePlacement(schoolId, from).catch(() => undefined);
  await deps.registry.setServer(schoolId, from).catch(() => undefined);
  await deps.servers
    .on(from)
    .allowConnections(databaseName, true)
    .catch(() => undefined);
  await deps.servers
    .on(to)
    .drop(databaseName)
    .catch(() => undefined);
}

export type MovePlan =
  | { ready: true; state: SchoolState; slug: string; from: string; to: string; databaseName: string }
  | { ready: false; reason: string };

/** Whether the school can move to `to` now, and from where: checked before anything is recorded (and by a dry run). */
export async function planMove(deps: MoveDeps, schoolId: string, to: string): Promise<MovePlan> {
  const { state } = await loadSchool(deps.store, schoolId);
  if (!state) return { ready: false, reason: `no school with id ${schoolId}` };
  const refused = await refusal(deps, state, to);
  if (refused) return { ready: false, reason: refused };
  const { details, databaseName } = state;
  return { ready: true, state, slug: details.slug, from: serverOf(state), to, databaseName };
}

/** Why a move cannot start, or undefined. */
async function refusal(deps: MoveDeps, state: SchoolState, to: string): Promise<string | undefined> {
  const names = deps.servers.names;
  if (!names.includes(to)) return `no tenant server "${to}" (configured: ${names.join(', ')})`;
  if (state.status !== 'active') return `school ${state.id} is ${state.status}; only an active school moves`;
  if (state.move && state.move.to !== to) return `school ${state.id} is already moving to ${state.move.to}`;
  if (serverOf(state) === to && !state.move) return `school ${state.id} is already on ${to}`;
  const current = deps.servers.currentSchemaVersion();
  if (state.schemaVersion !== current) {
    const at = state.schemaVersion ?? 'unknown';
    return `school ${state.id} is at schema ${at}, not ${current}: roll the schema out first`;
  }
  const target = (await deps.servers.status()).find((s) => s.name === to);
  if (!target?.reachable) return `tenant server ${to} does not answer${target?.error ? ` (${target.error})` : ''}`;
  if (target.state !== 'open') return `tenant server ${to} is ${target.state}: it takes no school`;
  return undefined;
}
