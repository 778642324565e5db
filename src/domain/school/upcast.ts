import type { SchoolEvent, StepRun } from './events.js';

/** Events in a shape this version no longer writes; `upcast` reads them as their current form. */
export type LegacySchoolEvent = { type: 'WelcomeEmailFailed'; data: StepRun & { error: string } };

/** A school event as stored: the current types, or a legacy one. */
export type StoredSchoolEvent = SchoolEvent | LegacySchoolEvent;

/**
 * The current form of a stored event. `WelcomeEmailFailed` was the welcome email's own failure event
 * before every non-critical step shared `NonCriticalStepFailed`; it reads as that, for its step.
 */
export function upcast<E extends StoredSchoolEvent>(event: E): Exclude<E, LegacySchoolEvent> {
  if (event.type !== 'WelcomeEmailFailed') return event as Exclude<E, LegacySchoolEvent>;
  const data = { step: 'send_welcome_email' as const, ...event.data };
  return { ...event, type: 'NonCriticalStepFailed', data } as unknown as Exclude<E, LegacySchoolEvent>;
}
