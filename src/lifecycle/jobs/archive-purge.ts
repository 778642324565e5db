import { Inject, Injectable } from '@nestjs/common';
import { describeError } from '../../shared/describe-error.js';
import { CLOCK, type Clock } from '../../ports/clock.port.js';
import { DATABASE_ARCHIVES, type DatabaseArchives } from '../../ports/database-archives.port.js';
import type { AppLogger } from '../../ports/logger.port.js';
import type { Config } from '../../config/config.js';
import { APP_LOGGER, CONFIG } from '../../composition/tokens.js';

/** SCS_ARCHIVE_RETENTION_DAYS: removes the archives of deleted schools older than that; never throws. */
@Injectable()
export class ArchivePurge {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(DATABASE_ARCHIVES) private readonly archives: DatabaseArchives,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  async run(): Promise<void> {
    const days = this.config.archiveRetentionDays;
    if (days <= 0) return;
    const removed = await this.archives.purgeExpired(this.clock.now()).catch((error) => {
      this.logger.warn(`archive retention: ${describeError(error)}`);
      return 0;
    });
    if (removed > 0) this.logger.log(`archive retention: removed ${removed} archive(s) older than ${days} days`);
  }
}
