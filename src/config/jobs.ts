import type { EnvReader } from './env-reader.js';

/** Provisioning's retries and parallelism, how often background jobs run, and how long archives are kept. */
export interface JobSettings {
  /** Attempts of a forward step before it fails for good, and the backoff between them. */
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  concurrency: number;
  /** How often the service compares resources with the events and logs what it finds (0: never). */
  reconcileIntervalSeconds: number;
  /** How often certificates are checked for renewal. */
  renewalCheckSeconds: number;
  /** The fleet report lists schools in a non-terminal status for longer than this as stuck. */
  stuckAfterSeconds: number;
  /** Final archives of dropped school databases, kept this many days (0: forever). */
  archiveDir: string;
  archiveRetentionDays: number;
}

export function parseJobs(read: EnvReader, context: { dataDir: string }): JobSettings {
  return {
    retry: {
      maxAttempts: read.int('SCS_RETRY_MAX_ATTEMPTS', 5, 1, 100),
      baseDelayMs: read.int('SCS_RETRY_BASE_MS', 500, 1, 600_000),
      maxDelayMs: read.int('SCS_RETRY_MAX_MS', 30_000, 1, 3_600_000),
    },
    concurrency: read.int('SCS_CONCURRENCY', 8, 1, 256),
    renewalCheckSeconds: read.int('SCS_RENEWAL_CHECK_S', 3600, 0, 86_400),
    reconcileIntervalSeconds: read.int('SCS_RECONCILE_INTERVAL_S', 900, 0, 86_400),
    stuckAfterSeconds: read.int('SCS_STUCK_AFTER_S', 600, 1, 30 * 86_400),
    archiveDir: read.env.SCS_ARCHIVE_DIR || `${context.dataDir}/archives`,
    archiveRetentionDays: read.int('SCS_ARCHIVE_RETENTION_DAYS', 30, 0, 36_500),
  };
}
