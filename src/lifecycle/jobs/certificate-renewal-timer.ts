import { Inject, Injectable } from '@nestjs/common';
import { describeError } from '../../shared/describe-error.js';
import type { AppLogger } from '../../ports/logger.port.js';
import { CertificateRenewer } from '../../school/renewal/certificate-renewer.js';
import type { Config } from '../../config/config.js';
import { APP_LOGGER, CONFIG } from '../../composition/tokens.js';
import type { BackgroundJob } from './background-job.js';

/** SCS_RENEWAL_CHECK_SECONDS: a certificate renewal sweep every interval. */
@Injectable()
export class CertificateRenewalTimer implements BackgroundJob {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CertificateRenewer) private readonly renewer: CertificateRenewer,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  start(): void {
    const seconds = this.config.renewalCheckSeconds;
    if (seconds <= 0) return;
    this.timer = setInterval(() => {
      this.renewer
        .sweep()
        .catch((error) => this.logger.warn(`certificate renewal sweep failed: ${describeError(error)}`));
    }, seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
