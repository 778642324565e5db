import { isLive, type SchoolState } from '../../domain/school/state.js';
import type { Clock } from '../../ports/clock.port.js';
import type { EventStore } from '../../ports/event-store.port.js';
import type { AppLogger } from '../../ports/logger.port.js';
import type { MigrationTimeouts, SchemaStatus } from '../../ports/tenant-databases.port.js';
import type { TenantServers } from '../../ports/tenant-servers.port.js';
import { serverOf } from '../../domain/school/placement.js';
import type { FaultPoints } from '../../ports/fault-points.port.js';
import type { RetryPolicy } from '../../process-manager/retry-policy.js';
import { describeError } from '../../shared/describe-error.js';
import { allSchools } from '../all-schools.js';
import { inPool } from '../../shared/in-pool.js';
import { upgradeSchool } from './upgrade-school.js';

export interface RolloutDeps {
  store: EventStore;
  /** Each school is migrated on the tenant server its events name. */
  servers: TenantServers;
  faults: FaultPoints;
  logger: Pick<AppLogger, 'log' | 'warn'>;
  /** Dates the attempts' events (their start, their end, the next attempt). */
  clock: Clock;
}

export interface RolloutOptions {
  /** Schools migrated at once. */
  concurrency: number;
  timeouts: MigrationTimeouts;
  /** Attempts per school in one rollout, and the backoff between them. */
  policy: RetryPolicy;
  /** Only this school. */
  only?: string;
  /** Upgrade this many schools first; if any of them fails, start no other. */
  canary?: number;
  actor: string;
  correlationId: string;
  onProgress?: (progress: RolloutProgress) => void;
  /** Checked before each school starts: a stopping service starts no new upgrade. */
  shouldStop?: () => boolean;
  sleep?: (ms: number) => Promise<void>;
}

export interface RolloutProgress {
  total: number;
  upgraded: number;
  failed: number;
  left: number;
}

export interface SchoolOutcome {
  schoolId: string;
  slug: string;
  databaseName: string;
  result: 'upgraded' | 'failed' | 'not_started';
  from: string;
  to?: string;
  migrations?: string[];
  migration?: string;
  error?: string;
  attempts: number;
}

export interface RolloutReport {
  target: string;
  total: number;
  upgraded: number;
  failed: number;
  notStarted: number;
  stoppedByCanary: boolean;
  durationMs: number;
  outcomes: SchoolOutcome[];
}

export interface PlannedUpgrade {
  schoolId: string;
  slug: string;
  databaseName: string;
  /** The version the events say. */
  from: string;
  status?: SchemaStatus;
  error?: string;
}

/**
 * Live schools (suspended ones too) whose events say they are behind `target`, or still record their
 * migrations in SCS's schema_migrations (made before Drizzle: an upgrade records them in Drizzle's table),
 * oldest first.
 */
export async function schoolsBehind(store: EventStore, target: string, only?: string): Promise<SchoolState[]> {
  const schools = [...(await allSchools(store)).values()];
  const behind = (s: SchoolState) => s.schemaVersion! < target || s.schemaRecordedIn !== 'drizzle';
  return schools
    .filter((s) => isLive(s) && !!s.schemaVersion && behind(s) && (!only || s.id === only))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** What a rollout would do: each school behind and the migrations its database lacks. Changes nothing. */
export async function planRollout(
  deps: RolloutDeps,
  options: Pick<RolloutOptions, 'concurrency' | 'only'>,
): Promise<PlannedUpgrade[]> {
  const schools = await schoolsBehind(deps.store, deps.servers.currentSchemaVersion(), options.only);
  return inPool(schools, options.concurrency, async (school) => {
    const planned = {
      schoolId: school.id,
      slug: school.details.slug,
      databaseName: school.databaseName,
      from: school.schemaVersion!,
    };
    try {
      return { ...planned, status: await deps.servers.on(serverOf(school)).schemaStatus(school.databaseName) };
    } catch (error) {
      return { ...planned, error: describeError(error) };
    }
  });
}

/**
 * Brings every live school behind to the newest school schema, `concurrency` at a time. Each school's
 * migrations run in its own database (each in a transaction with the given timeouts); the result is
 * recorded in its stream as `SchoolSchemaUpgraded`, or `SchoolSchemaUpgradeFailed` per failed attempt.
 * A failing school is retried with backoff and never holds up the others. Safe to run again after a
 * crash: the database's own record of applied migrations says what still has to run, and an upgrade
 * whose event is already in the stream is not recorded twice.
 */
export async function runRollout(deps: RolloutDeps, options: RolloutOptions): Promise<RolloutReport> {
  const started = performance.now();
  const target = deps.servers.currentSchemaVersion();
  const schools = await schoolsBehind(deps.store, target, options.only);
  const outcomes = new Map<string, SchoolOutcome>();
  const progress = () => {
    const done = [...outcomes.values()];
    const upgraded = done.filter((o) => o.result === 'upgraded').length;
    const failed = done.filter((o) => o.result === 'failed').length;
    options.onProgress?.({ total: schools.length, upgraded, failed, left: schools.length - upgraded - failed });
  };
  progress();
  const upgradeAll = (batch: SchoolState[]) =>
    inPool(batch, options.concurrency, async (school) => {
      if (options.shouldStop?.()) return;
      outcomes.set(school.id, await upgradeSchool(deps, options, school));
      progress();
    });

  const canarySize = options.canary ? Math.min(options.canary, schools.length) : 0;
  await upgradeAll(schools.slice(0, canarySize));
  const stoppedByCanary = schools.slice(0, canarySize).some((s) => outcomes.get(s.id)?.result === 'failed');
  if (stoppedByCanary)
    deps.logger.warn(
      `schema rollout: a canary school failed; the other ${schools.length - canarySize} were not started`,
    );
  else await upgradeAll(schools.slice(canarySize));

  const all = schools.map((s) => outcomes.get(s.id) ?? notStarted(s));
  const count = (result: SchoolOutcome['result']) => all.filter((o) => o.result === result).length;
  return {
    target,
    total: schools.length,
    upgraded: count('upgraded'),
    failed: count('failed'),
    notStarted: count('not_started'),
    stoppedByCanary,
    durationMs: Math.round(performance.now() - started),
    outcomes: all,
  };
}

function notStarted(school: SchoolState): SchoolOutcome {
  const { id: schoolId, databaseName, schemaVersion } = school;
  return {
    schoolId,
    slug: school.details.slug,
    databaseName,
    result: 'not_started',
    from: schemaVersion!,
    attempts: 0,
  };
}
