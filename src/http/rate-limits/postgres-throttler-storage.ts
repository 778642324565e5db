import type { ThrottlerStorage } from '@nestjs/throttler';
import type pg from 'pg';
import type { AppLogger } from '../../ports/logger.port.js';
import { describeError } from '../../shared/describe-error.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

// scs_rate_limit_take (migration 0027): takes up to LEASE_MAX hits of the key's window at once (an eighth
// of what is left, at least 1), or reports the block. The database's clock serves every replica.
const TAKE = 'SELECT hits, granted, expires_in, blocked_in FROM scs_rate_limit_take($1, $2, $3, $4, $5)';
const LEASE_MAX = 100;
const SWEEP_EVERY_MS = 60_000;
const TIMEOUT_MS = 2_000;
/** After a take the database left unanswered, requests are let through at once for this long. */
const UNANSWERED_MS = 5_000;

/** The hits of one key this replica took from the shared count and has not handed out yet. */
interface Lease {
  /** The shared count after the lease was taken. */
  hits: number;
  left: number;
  expiresAt: number;
  blockedUntil: number;
}

/**
 * @nestjs/throttler's storage in the central PostgreSQL database, so that a limit holds for a client
 * whatever the number of replicas, and across restarts. Each replica takes a key's hits in leases and
 * counts them out in memory: a request waits for the database only when its replica's lease is spent
 * (concurrent requests of one key share that one round trip), and a block is answered from memory until
 * it ends. No more than the limit is ever let through; a client spread over replicas may get its 429 a
 * few hits early while another replica still holds an unspent lease (at most an eighth of what was left).
 * If the database does not answer within 2 s the request is let through (and a warning logged): the
 * limiter must not be what takes the API down, and a request that needs the database fails on its own.
 * For 5 s after such a take the requests that need one are let through at once while a take goes on
 * behind them: a database that answers nothing costs one request those 2 s, not every one.
 */
export class PostgresThrottlerStorage implements ThrottlerStorage {
  private lastSweep = Date.now();
  private lastWarning = 0;
  private unansweredUntil = 0;
  private readonly leases = new Map<string, Lease>();
  private readonly taking = new Map<string, Promise<boolean>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Pick<AppLogger, 'warn'>,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    this.sweepExpired();
    for (;;) {
      const local = this.fromLease(key);
      if (local) return local;
      let taking = this.taking.get(key);
      if (!taking) {
        taking = this.take(key, ttl, limit, blockDuration).finally(() => this.taking.delete(key));
        this.taking.set(key, taking);
      }
      if (Date.now() < this.unansweredUntil || !(await taking)) {
        return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
      }
    }
  }

  /** One hit from the key's lease, or its block; undefined when the lease is spent or its window over. */
  private fromLease(key: string): ThrottlerStorageRecord | undefined {
    const lease = this.leases.get(key);
    if (!lease) return undefined;
    const now = Date.now();
    const timeToExpire = Math.max(0, Math.ceil((lease.expiresAt - now) / 1000));
    if (lease.blockedUntil > now) {
      const timeToBlockExpire = Math.ceil((lease.blockedUntil - now) / 1000);
      return { totalHits: lease.hits, timeToExpire, isBlocked: true, timeToBlockExpire };
    }
    if (lease.left > 0 && lease.expiresAt > now) {
      lease.left -= 1;
      return { totalHits: lease.hits - lease.left, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
    }
    this.leases.delete(key);
    return undefined;
  }

  /** A new lease (or the block) from the shared count; false when the database did not answer. */
  private async take(key: string, ttl: number, limit: number, blockDuration: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        this.pool.query<{ hits: number; granted: number; expires_in: number; blocked_in: number | null }>(TAKE, [
          key,
          ttl,
          limit,
          blockDuration,
          LEASE_MAX,
        ]),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
        }),
      ]);
      const row = result.rows[0];
      const now = Date.now();
      const blockedIn = row.blocked_in === null ? 0 : Number(row.blocked_in);
      this.leases.set(key, {
        hits: row.hits,
        left: row.granted,
        expiresAt: now + Number(row.expires_in) * 1000,
        blockedUntil: blockedIn > 0 ? now + blockedIn * 1000 : 0,
      });
      this.unansweredUntil = 0;
      return true;
    } catch (error) {
      this.unansweredUntil = Date.now() + UNANSWERED_MS;
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(
          `rate limits: the central database did not count a request (${describeError(error)}); letting requests through`,
        );
      }
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Forgets windows and blocks that have ended, at most once a minute per process, off the request path. */
  private sweepExpired(): void {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [key, lease] of this.leases) {
      if (lease.expiresAt <= now && lease.blockedUntil <= now) this.leases.delete(key);
    }
    this.pool
      .query(
        'DELETE FROM scs_rate_limits WHERE expires_at < now() AND (blocked_until IS NULL OR blocked_until < now())',
      )
      .catch(() => undefined);
  }
}
