import pg from 'pg';
import type { DatabaseOwner } from '../../../ports/tenant-databases.port.js';
import { StepError } from '../../../ports/step-error.js';

const SCHOOL_DATABASE = /^school_[0-9a-f]{32}$/;

/** `name` quoted for DDL, once it is known to be a school database's name (`school_<32 hex>`). */
export function quoteSchoolDatabase(name: string): string {
  // Names are generated from school ids; this guard keeps anything else out of DDL.
  if (typeof name !== 'string' || !SCHOOL_DATABASE.test(name))
    throw StepError.permanent(`not a school database name: ${JSON.stringify(name)?.slice(0, 80)}`);
  return pg.escapeIdentifier(name);
}

/** The login role that owns a school database. */
export function ownerRoleOf(databaseName: string): string {
  return `${databaseName}_owner`;
}

export function checkOwner(databaseName: string, owner: DatabaseOwner): void {
  if (owner.role !== ownerRoleOf(databaseName))
    throw StepError.permanent(`unexpected owner role ${owner.role} for ${databaseName}`);
}
