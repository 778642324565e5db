import type { RolloutDeps, RolloutOptions } from './schema-rollout.js';
import type { Config } from '../../config/config.js';

/** What a school schema rollout works with (school/schema-rollout): the background one's and the CLI's. */
export class SchemaRollouts {
  constructor(
    readonly deps: RolloutDeps,
    private readonly config: Pick<Config, 'schemaRollout' | 'retry'>,
  ) {}

  /** The rollout options the configuration gives (SCS_MIGRATION_*, SCS_RETRY_*). */
  options(actor: string): RolloutOptions {
    const { concurrency, lockTimeoutMs, statementTimeoutMs } = this.config.schemaRollout;
    const correlationId = `schema-rollout-${this.deps.clock.now().toISOString()}`;
    const timeouts = { lockTimeoutMs, statementTimeoutMs };
    return { concurrency, timeouts, policy: this.config.retry, actor, correlationId };
  }
}
