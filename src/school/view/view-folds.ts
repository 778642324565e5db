import type { EventOf, SchoolEventType } from '../../domain/school/events.js';
import type { SchoolView } from './school-view.js';

/** How each event type of a group changes the school's view. */
export type ViewFolds<T extends SchoolEventType> = {
  [K in T]: (view: SchoolView, data: EventOf<K>['data']) => SchoolView;
};

export const unchanged = (view: SchoolView): SchoolView => view;

/** The view with its DNS record as a suspension or a resumption pointed it (unchanged without one). */
export function pointed(
  view: SchoolView,
  dns: { name: string; recordType: string; provider: string } | undefined,
): SchoolView {
  return dns ? { ...view, dns: { name: dns.name, type: dns.recordType, provider: dns.provider } } : view;
}
