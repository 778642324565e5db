import type { SchoolState } from '../domain/school/state.js';
import { TERMINAL_STATUSES } from '../domain/school/state.js';

type Resource = 'database' | 'dns' | 'certificate' | 'delivery' | 'registry' | 'credentials' | 'schema' | 'server';

/** Reports a resource a settled school (or none) may not account for; an orphan gets its removal. */
export type Consider = (
  resource: Resource,
  name: string,
  schoolId: string | undefined,
  accounted: boolean,
  remove: () => Promise<unknown>,
) => void;

export interface Finding {
  /**
   * `orphan`: it exists but no school accounts for it; `drift`: a school accounts for it but it is gone;
   * `retired-key`: a live school's database password was made with a key that is not the active one;
   * `unreachable`: a tenant server did not answer, so its databases were not compared;
   * `foreign`: it is not this SCS instance's (no ownership mark, or another instance's): reported, never
   * removed; one its school's events name, made before ownership existed, is marked by `adopt`.
   */
  kind: 'orphan' | 'drift' | 'retired-key' | 'unreachable' | 'foreign';
  resource: Resource;
  name: string;
  schoolId?: string;
  detail: string;
  fixed?: boolean;
  /** A foreign record marked as its school's by `adopt`. */
  adopted?: boolean;
}

/** One comparison's schools, findings so far, and the orphans' removals. */
export class Sweep {
  readonly findings: Finding[] = [];
  readonly removals = new Map<Finding, () => Promise<unknown>>();
  skippedInFlight = 0;

  constructor(readonly schools: Map<string, SchoolState>) {}

  /**
   * Schools still provisioning or being undone are left alone: their resources are legitimately ahead of
   * their events; so is a school being moved, which has a database on two servers until its move is recorded.
   */
  settled(id: string | undefined): boolean {
    const school = id ? this.schools.get(id) : undefined;
    return !school || (TERMINAL_STATUSES.has(school.status) && !school.move);
  }

  readonly consider: Consider = (resource, name, schoolId, accounted, remove) => {
    if (!this.settled(schoolId)) {
      this.skippedInFlight++;
      return;
    }
    if (accounted) return;
    const known = schoolId ? this.schools.get(schoolId) : undefined;
    const detail = known
      ? `school is ${known.status} and its events say this was removed or never made`
      : 'no school claims it';
    const finding: Finding = { kind: 'orphan', resource, name, schoolId, detail };
    this.findings.push(finding);
    this.removals.set(finding, remove);
  };
}
