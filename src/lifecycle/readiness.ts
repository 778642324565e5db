import { describeError } from '../shared/describe-error.js';
import type { EventStore } from '../ports/event-store.port.js';
import type { TenantServers } from '../ports/tenant-servers.port.js';
import type { Readiness } from '../http/tokens.js';

/** Runs `fn` for at most `ms`, then rejects with `message`. */
function bounded<T>(fn: () => Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([fn(), timeout]).finally(() => clearTimeout(timer));
}

async function probe(fn: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await bounded(fn, 2000, 'timed out after 2 s');
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

/**
 * What GET /ready checks: the central database and the event store, each bounded; the tenant servers beside.
 * The database is probed through the registry's pool (TypeORM's), which is mostly idle: a query there needs
 * a new session when the server went away, where the read side's busy connections can still answer for a
 * moment after its postmaster died.
 */
export function readinessOf(
  central: { query(sql: string): Promise<unknown> },
  store: EventStore,
  servers: TenantServers,
): Readiness {
  return {
    check: async () => {
      const [database, eventStore] = await Promise.all([
        probe(() => central.query('SELECT 1')),
        probe(() => store.ping()),
      ]);
      return { database, eventStore };
    },
    // Bounded like the checks: a central database that does not answer must not hold /ready.
    servers: () => bounded(() => servers.status(), 3000, 'timed out'),
  };
}
