/**
 * The slug stream (`school_slug-<slug>`): which school holds a slug. One stream per slug, so the event
 * store's expected revision makes exactly one of concurrent claimants win.
 */
export type SlugEvent =
  | { type: 'SlugClaimed'; data: { slug: string; schoolId: string } }
  | { type: 'SlugReleased'; data: { slug: string; schoolId: string; reason?: string } };

export type SlugCommand =
  | { type: 'ClaimSlug'; data: { slug: string; schoolId: string } }
  /** Releases an abandoned claim of `from` (its school was never recorded) and claims the slug. */
  | { type: 'TakeOverSlug'; data: { slug: string; schoolId: string; from: string; reason: string } }
  | { type: 'ReleaseSlug'; data: { slug: string; schoolId: string; reason?: string } };

/** The school holding the slug; none before its first claim and after a release. */
export interface SlugState {
  holder?: string;
}

/** Claimed by another school: the caller decides whether that claim was abandoned. */
export class SlugHeldError extends Error {
  constructor(
    readonly slug: string,
    readonly holder: string,
  ) {
    super(`slug "${slug}" is held by school ${holder}`);
    this.name = 'SlugHeldError';
  }
}

export function decideSlug(command: SlugCommand, state: SlugState): SlugEvent[] {
  const { slug, schoolId } = command.data;
  switch (command.type) {
    case 'ClaimSlug':
      if (state.holder === schoolId) return [];
      if (state.holder) throw new SlugHeldError(slug, state.holder);
      return [{ type: 'SlugClaimed', data: { slug, schoolId } }];
    case 'TakeOverSlug': {
      const { from, reason } = command.data;
      if (state.holder !== from) throw new SlugHeldError(slug, state.holder ?? '(none)');
      return [
        { type: 'SlugReleased', data: { slug, schoolId: from, reason } },
        { type: 'SlugClaimed', data: { slug, schoolId } },
      ];
    }
    case 'ReleaseSlug': {
      if (state.holder !== schoolId) return [];
      const reason = command.data.reason;
      return [{ type: 'SlugReleased', data: { slug, schoolId, ...(reason ? { reason } : {}) } }];
    }
  }
}

function evolveSlug(state: SlugState, event: SlugEvent): SlugState {
  return event.type === 'SlugClaimed' ? { holder: event.data.schoolId } : {};
}

export const slugDecider = { decide: decideSlug, evolve: evolveSlug, initialState: (): SlugState => ({}) };

/** The slug's holder after its stream's events (of other types, none: they are not the slug's). */
export function foldSlug(events: Iterable<{ type: string; data: unknown }>): SlugState {
  let state = slugDecider.initialState();
  for (const event of events) {
    if (event.type === 'SlugClaimed' || event.type === 'SlugReleased') state = evolveSlug(state, event as SlugEvent);
  }
  return state;
}
