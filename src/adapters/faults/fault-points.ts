import { join } from 'node:path';
import type { Clock } from '../../ports/clock.port.js';
import { NO_FAULTS, type FaultPoints } from '../../ports/fault-points.port.js';
import type { AppLogger } from '../../ports/logger.port.js';
import type { Config } from '../../config/config.js';
import { FaultInjector } from './fault-injector.js';

/**
 * What the use cases' fault points do: nothing, unless SCS_FAULTS names faults (tests only); then the
 * injector, its crash markers in the data folder so that a restarted process does not crash again.
 */
export function faultPoints(config: Config, logger: AppLogger, clock: Clock): FaultPoints {
  if (config.faults.size === 0) return NO_FAULTS;
  logger.warn(`fault injection is ON: SCS_FAULTS=${config.faultsSpec}`);
  return new FaultInjector(config.faults, join(config.dataDir, 'faults'), clock);
}
