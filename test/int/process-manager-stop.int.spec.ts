import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { silentLogger } from '../../src/ports/logger.port.js';
import { systemClock } from '../../src/ports/clock.port.js';
import { databaseNameFor } from '../../src/ports/tenant-databases.port.js';
import { ProcessManager } from '../../src/process-manager/process-manager.js';
import type { StepPorts } from '../../src/process-manager/step-runner.js';
import { executeSchoolCommand } from '../../src/school/school-stream.js';
import { validateSchoolDetails, type SchoolDetails } from '../../src/domain/school/details.js';
import { PostgresCheckpointStore } from '../../src/adapters/postgres/postgres-checkpoint-store.js';
import { PostgresEventStore } from '../../src/adapters/event-store/postgres/postgres-event-store.js';
import { prepareCentralDatabase } from '../../src/adapters/postgres/central-database.js';
import { freshDatabase } from '../support/databases.js';

describe('process manager: stopped while a school waits for its lock', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await freshDatabase('scs_pm_stop');
    await prepareCentralDatabase(db.url, silentLogger);
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('leaves the school unfinished: the checkpoint stays before its request, and a restart resumes it', async () => {
    const store = new PostgresEventStore({ pool });
    const checkpoints = new PostgresCheckpointStore(pool);
    const schoolId = randomUUID();
    const details = validateSchoolDetails({
      name: 'Greenwood High',
      slug: `stop-${schoolId.slice(0, 8)}`,
      district: 'Pune',
      board: 'CBSE',
      adminEmail: 'admin@greenwood.example',
      phone: '+919876543210',
    }) as SchoolDetails;
    const now = new Date().toISOString();
    await executeSchoolCommand(
      store,
      schoolId,
      () => ({
        type: 'RequestSchool',
        data: {
          schoolId,
          details,
          databaseName: databaseNameFor(schoolId),
          subdomain: `${details.slug}.syncad.in`,
          slugStream: `school_slug-${details.slug}`,
          slugRevision: 0,
          now,
        },
      }),
      { actor: 'test', correlationId: 'c-1', now },
      { clock: systemClock },
    );

    // The lock is granted only after stop() has begun: the school's work starts, but no step may run.
    let entered!: () => void;
    const inLock = new Promise<void>((resolve) => (entered = resolve));
    let grant!: () => void;
    const granted = new Promise<void>((resolve) => (grant = resolve));
    const locks = {
      tryLock: async () => {
        entered();
        await granted;
        return { release: async () => undefined };
      },
    };
    const manager = new ProcessManager(store, checkpoints, {} as StepPorts, systemClock, silentLogger, {
      policy: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
      locks,
    });
    await manager.start();
    await inLock;
    const stopped = manager.stop();
    grant();
    await stopped;
    await store.close();

    expect(await checkpoints.load('process-manager')).toBeUndefined();
  });
});
