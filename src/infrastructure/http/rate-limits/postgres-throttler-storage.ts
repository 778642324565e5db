import type { ThrottlerStorage } from '@nestjs/throttler';
import type pg from 'pg';
import type { AppLogger } from '../../../application/ports/logger.port.js';
import { describeError } from '../../../application/describe-error.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const MS = `* interval '1 millisecond'`;
// One statement per hit. A window starts at a key's first hit and lasts `ttl`; the hit that passes the
// limit blocks the key for `blockDuration` (0: to the window's end), during which hits are not counted;
// after a block the count starts again. The database's clock serves every replica.
const INCREMENT = `
  INSERT INTO scs_rate_limits AS r (key, hits, expires_at, blocked_until)
  VALUES ($1, 1, now() + $2::int ${MS}, NULL)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN r.blocked_until > now() THEN r.hits
                WHEN r.blocked_until IS NOT NULL OR r.expires_at <= now() THEN 1
                ELSE r.hits + 1 END,
    expires_at = CASE WHEN r.expires_at <= now() THEN EXCLUDED.expires_at ELSE r.expires_at END,
    blocked_until = CASE WHEN r.blocked_until > now() THEN r.blocked_until
                         WHEN r.blocked_until IS NULL AND r.expires_at > now() AND r.hits + 1 > $3::int
                           THEN CASE WHEN $4::int > 0 THEN now() + $4::int ${MS} ELSE r.expires_at END
                         END
  RETURNING hits, extract(epoch FROM expires_at - now()) AS expires_in,
            extract(epoch FROM blocked_until - now()) AS blocked_in`;

const SWEEP_EVERY_MS = 60_000;
const TIMEOUT_MS = 2_000;

/**
 * @nestjs/throttler's storage in the central PostgreSQL database, so that a limit holds for a client
 * whatever the number of replicas, and across restarts. If the database does not answer within 2 s
 * the request is let through (and a warning logged): the limiter must not be what takes the API down,
 * and a request that needs the database fails on its own with 503.
 */
export class PostgresThrottlerStorage implements ThrottlerStorage {
  private lastSweep = Date.now();
  private lastWarning = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Pick<AppLogger, 'warn'>,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    this.sweepExpired();
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        this.pool.query<{ hits: number; expires_in: string; blocked_in: string | null }>(INCREMENT, [
          key,
          ttl,
          limit,
          blockDuration,
        ]),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
        }),
      ]);
      const row = result.rows[0];
      const blockedIn = row.blocked_in === null ? 0 : Number(row.blocked_in);
      return {
        totalHits: row.hits,
        timeToExpire: Math.ceil(Number(row.expires_in)),
        isBlocked: blockedIn > 0,
        timeToBlockExpire: blockedIn > 0 ? Math.ceil(blockedIn) : 0,
      };
    } catch (error) {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(
          `rate limits: the central database did not count a request (${describeError(error)}); letting requests through`,
        );
      }
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Forgets windows and blocks that have ended, at most once a minute per process, off the request path. */
  private sweepExpired(): void {
    if (Date.now() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = Date.now();
    this.pool
      .query(
        'DELETE FROM scs_rate_limits WHERE expires_at < now() AND (blocked_until IS NULL OR blocked_until < now())',
      )
      .catch(() => undefined);
  }
}
