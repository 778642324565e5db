import type { SchoolState } from '../domain/school/state.js';
import type { Clock } from '../ports/clock.port.js';
import type { Telemetry } from '../ports/telemetry.port.js';

/**
 * Reports, for operators, a school that has just become active or failed from its request (its time since
 * then), or a restore that has just ended (its time since it was asked).
 */
export function reportSettled(
  telemetry: Telemetry,
  clock: Clock,
  before: SchoolState,
  after: SchoolState | undefined,
): void {
  const restore = before.restore;
  if (restore && after && !after.restore && (after.status === 'active' || after.status === 'deleted')) {
    const seconds = (clock.now().getTime() - Date.parse(restore.requestedAt)) / 1000;
    telemetry.restoreSettled(after.status === 'active' ? 'restored' : 'failed', seconds);
    return;
  }
  if (!after || after.status === before.status || (after.status !== 'active' && after.status !== 'failed')) return;
  // A resumed school becomes active too: not the end of its provisioning.
  if (before.status !== 'provisioning' && before.status !== 'rolling_back') return;
  const seconds = (clock.now().getTime() - Date.parse(after.createdAt)) / 1000;
  telemetry.schoolSettled(after.status, seconds);
}
