import type { SchoolState } from '../../domain/school/state.js';
import type { EventMetadata } from '../../ports/event-store.port.js';
import { serverOf } from '../../domain/school/placement.js';
import { SchemaMigrationError } from '../../ports/tenant-databases.port.js';
import { retryDelayMs } from '../../process-manager/retry-policy.js';
import { describeError } from '../../shared/describe-error.js';
import { isPermanent } from '../../ports/step-error.js';
import { executeSchoolCommand } from '../school-stream.js';
import type { RolloutDeps, RolloutOptions, SchoolOutcome } from './schema-rollout.js';

/** The name of a schema upgrade in faults, logs and metrics. */
const UPGRADE_SCHEMA = 'upgrade_schema';

/** One attempt of one school's upgrade: its number in the school's audit trail, and this rollout's first. */
interface Attempt {
  attempt: number;
  first: number;
  startedAt: string;
  t0: number;
}

/**
 * One school's upgrade within a rollout: attempted until its migrations run and `SchoolSchemaUpgraded` is
 * recorded, or an attempt fails permanently or is this rollout's last (each failure recorded as
 * `SchoolSchemaUpgradeFailed`), with backoff between attempts.
 */
export async function upgradeSchool(
  deps: RolloutDeps,
  options: RolloutOptions,
  school: SchoolState,
): Promise<SchoolOutcome> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { id: schoolId, databaseName } = school;
  const base = { schoolId, slug: school.details.slug, databaseName, from: school.schemaVersion! };
  // Attempts carry on from the school's earlier rollouts, so the audit trail counts them all.
  const first = (school.schemaUpgradeFailure?.attempts ?? 0) + 1;
  for (let attempt = first; ; attempt++) {
    const current = { attempt, first, startedAt: deps.clock.now().toISOString(), t0: performance.now() };
    const attempts = attempt - first + 1;
    try {
      const { to, migrations } = await migrateAndRecord(deps, options, school, current);
      return { ...base, result: 'upgraded', to, migrations, attempts };
    } catch (error) {
      const { last, delay, migration, message } = await recordFailure(deps, options, school, error, current);
      if (last) return { ...base, result: 'failed', migration, error: message, attempts };
      await sleep(delay);
    }
  }
}

function metadataOf(options: RolloutOptions, now: string): EventMetadata {
  return { actor: options.actor, correlationId: options.correlationId, now };
}

/** Runs the school's missing migrations in its database and records them as `SchoolSchemaUpgraded`. */
async function migrateAndRecord(
  deps: RolloutDeps,
  options: RolloutOptions,
  school: SchoolState,
  { attempt, first, startedAt, t0 }: Attempt,
): Promise<{ to: string; migrations: string[] }> {
  const { id: schoolId, databaseName } = school;
  const from = school.schemaVersion!;
  deps.faults.beforeStep(UPGRADE_SCHEMA, attempt - first + 1);
  const databases = deps.servers.on(serverOf(school));
  const migrated = await databases.migrate(databaseName, { timeouts: options.timeouts });
  deps.faults.afterSideEffect(UPGRADE_SCHEMA, schoolId);
  // After a crash the database may already be ahead with nothing applied now: it records what it ran.
  // The version is a count of the journal's migrations, so those after `from` are the ones it ran.
  const migrations = migrated.recorded ? migrated.recorded.slice(Number(from)) : migrated.applied;
  const adopted = migrated.adopted?.length ? { adopted: migrated.adopted } : {};
  const durationMs = Math.round(performance.now() - t0);
  const now = deps.clock.now().toISOString();
  await executeSchoolCommand(
    deps.store,
    schoolId,
    () => ({
      type: 'RecordSchemaUpgrade',
      data: {
        databaseName,
        to: migrated.schemaVersion,
        migrations,
        durationMs,
        attempt,
        startedAt,
        finishedAt: now,
        now,
        recordedIn: 'drizzle',
        ...adopted,
      },
    }),
    metadataOf(options, now),
    { clock: deps.clock },
  );
  deps.logger.log(
    `schema rollout: school ${schoolId} ${from} → ${migrated.schemaVersion}` +
      ` (${migrations.join(', ')}${migrated.adopted?.length ? `; recorded for Drizzle: ${migrated.adopted.join(', ')}` : ''}) in ${durationMs} ms`,
  );
  return { to: migrated.schemaVersion, migrations };
}

/**
 * Records a failed attempt as `SchoolSchemaUpgradeFailed` (with the next attempt's time unless it was the
 * last) and says whether another follows, after how long.
 */
async function recordFailure(
  deps: RolloutDeps,
  options: RolloutOptions,
  school: SchoolState,
  error: unknown,
  { attempt, first, startedAt }: Attempt,
): Promise<{ last: boolean; delay: number; migration: string; message: string }> {
  const { id: schoolId, databaseName } = school;
  const failed = error instanceof SchemaMigrationError ? error : undefined;
  const migration = failed?.migration ?? 'none (the database could not be reached)';
  const applied = failed?.applied ?? [];
  const version = String(Number(school.schemaVersion!) + applied.length).padStart(4, '0');
  const permanent = isPermanent(error);
  const last = permanent || attempt - first + 1 >= options.policy.maxAttempts;
  const delay = retryDelayMs(options.policy, attempt - first + 1);
  const ended = deps.clock.now();
  const now = ended.toISOString();
  const retryAt = last ? undefined : new Date(ended.getTime() + delay).toISOString();
  const message = describeError(error);
  await executeSchoolCommand(
    deps.store,
    schoolId,
    () => ({
      type: 'RecordSchemaUpgradeFailure',
      data: {
        databaseName,
        migration,
        error: message,
        attempt,
        permanent,
        version,
        applied,
        retryAt,
        startedAt,
        finishedAt: now,
        now,
      },
    }),
    metadataOf(options, now),
    { clock: deps.clock },
  ).catch((e) => deps.logger.warn(`schema rollout: recording the failure of school ${schoolId}: ${describeError(e)}`));
  deps.logger.warn(
    `schema rollout: school ${schoolId} attempt ${attempt} failed at ${migration}: ${message}` +
      (last ? '' : ` (retrying in ${delay} ms)`),
  );
  return { last, delay, migration, message };
}
