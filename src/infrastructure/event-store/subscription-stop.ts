import { describeError } from '../../application/describe-error.js';
import type { SubscribeOptions } from '../../application/ports/event-store.port.js';
import type { AppLogger } from '../../application/ports/logger.port.js';

/**
 * Tells the subscriber its subscription stopped (or logs it when nobody listens); an onError that throws is
 * logged, never rethrown.
 */
export function reportSubscriptionStop(
  options: Pick<SubscribeOptions, 'onError'>,
  logger: AppLogger,
  error: unknown,
): void {
  if (!options.onError) return logger.error(`event subscription stopped: ${describeError(error)}`);
  try {
    options.onError(error);
  } catch (thrown) {
    logger.error(`event subscription: onError threw: ${describeError(thrown)}`);
  }
}
