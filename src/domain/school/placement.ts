/**
 * Where school databases live: a set of named PostgreSQL servers. A school's server is chosen once, at
 * `create_database`, and recorded in `DatabaseCreated`; everything later reads it from the events.
 */
export type TenantServerState = 'open' | 'draining' | 'closed';

/**
 * The server of schools whose `DatabaseCreated` predates placement (all on the central server then),
 * and the one server SCS uses when SCS_TENANT_SERVERS is unset.
 */
export const CENTRAL_SERVER = 'central';

export interface PlacementCandidate {
  name: string;
  state: TenantServerState;
  /** Schools placed there (databases that exist or are being made). */
  schools: number;
  /** The most schools it takes; absent: no limit of its own. */
  capacity?: number;
  /** Answered a probe just now: a server that is down takes no new school. */
  reachable: boolean;
}

/**
 * The open, reachable server with the most room: the fewest schools relative to its capacity (a server
 * without one counts as having the largest capacity declared, or all alike when none is), ties by name.
 * A full server is skipped. Undefined when no server can take a school.
 */
export function chooseServer(candidates: readonly PlacementCandidate[]): string | undefined {
  const largest = Math.max(1, ...candidates.map((c) => c.capacity ?? 0));
  const load = (c: PlacementCandidate) => c.schools / (c.capacity ?? largest);
  const eligible = candidates
    .filter((c) => c.state === 'open' && c.reachable && (c.capacity === undefined || c.schools < c.capacity))
    .sort((a, b) => load(a) - load(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return eligible[0]?.name;
}

/** The server a school's database is on, as its events tell (`CENTRAL_SERVER` for events from before placement). */
export function serverOf(recorded: { server?: string }): string {
  return recorded.server ?? CENTRAL_SERVER;
}
