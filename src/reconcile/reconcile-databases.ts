import { serverOf } from '../domain/school/placement.js';
import type { SchoolState } from '../domain/school/state.js';
import { inPool } from '../shared/in-pool.js';
import type { TenantServers } from '../ports/tenant-servers.port.js';
import type { Finding, Sweep } from './findings.js';

/** Each server's school databases; a server that does not answer is reported, not taken as empty. */
export type Listed = { server: string; names?: string[]; error?: string };

export async function listEveryServer(servers: TenantServers): Promise<Listed[]> {
  return Promise.all(
    servers.names.map(async (server) => {
      try {
        return { server, names: await servers.on(server).list() };
      } catch (error) {
        return {
          server,
          error: `tenant server unreachable: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    }),
  );
}

function idFromDatabase(name: string): string | undefined {
  const hex = /^school_([0-9a-f]{32})$/.exec(name)?.[1];
  return hex && `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Every server's school databases against the schools placed there; named `server/database`. */
export function compareDatabases(
  sweep: Sweep,
  servers: TenantServers,
  databases: Array<{ server: string; name: string }>,
) {
  const placedOn = (school: SchoolState | undefined, server: string) =>
    !!school?.resources.database && serverOf(school) === server;
  for (const { server, name } of databases) {
    const id = idFromDatabase(name);
    // The same school's database on another server than its own is an orphan.
    sweep.consider('database', `${server}/${name}`, id, placedOn(id ? sweep.schools.get(id) : undefined, server), () =>
      servers.on(server).drop(name),
    );
  }
}

/** School databases whose schema `reconcile` reads at once (each read is a new session on its database). */
export const SCHEMA_READS_AT_ONCE = 8;

/**
 * Schema drift: the version a live school's events say against the one its database records, and
 * applied migrations whose shipped file has changed since. Reported only; a rollout fixes the first.
 * Each read opens a session on the school's own database, most of its cost: `SCHEMA_READS_AT_ONCE` at a
 * time, findings in the schools' order.
 */
export async function schemaDrift(servers: TenantServers, schools: SchoolState[]): Promise<Finding[]> {
  const perSchool = await inPool(schools, SCHEMA_READS_AT_ONCE, async (school) => {
    const findings: Finding[] = [];
    const { id: schoolId, databaseName: name } = school;
    const databases = servers.on(serverOf(school));
    const status = await databases.schemaStatus(name).catch((error: Error) => ({ error: error.message }));
    if ('error' in status) {
      const detail = `cannot read its schema: ${status.error}`;
      findings.push({ kind: 'drift', resource: 'schema', name, schoolId, detail });
      return findings;
    }
    if (status.version !== school.schemaVersion) {
      const detail = `the events say schema ${school.schemaVersion}, the database is at ${status.version}`;
      findings.push({ kind: 'drift', resource: 'schema', name, schoolId, detail });
    }
    if (status.mismatched.length > 0) {
      const detail = `checksum mismatch: ${status.mismatched.join(', ')} changed after it was applied`;
      findings.push({ kind: 'drift', resource: 'schema', name, schoolId, detail });
    }
    return findings;
  });
  return perSchool.flat();
}
