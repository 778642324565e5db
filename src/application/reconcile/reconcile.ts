import { schoolStreamId } from '../../domain/school/events.js';
import type { SchoolState } from '../../domain/school/state.js';
import { DEFAULT_CREDENTIALS_KEY_ID, isLive, TERMINAL_STATUSES } from '../../domain/school/state.js';
import type { CertificateDelivery, DeliveredCertificate } from '../ports/certificate-delivery.port.js';
import type { CredentialsDelivery, DeliveredCredentials } from '../ports/credentials-delivery.port.js';
import { compareCredentials, compareDeliveries } from './deliveries.js';
import type { CertificateProvider } from '../ports/certificates.port.js';
import type { DnsProvider, DnsRecord } from '../ports/dns.port.js';
import { ownershipByName, ownershipName } from '../dns/ownership.js';
import type { EventMetadata, EventStore } from '../ports/event-store.port.js';
import type { SchoolRegistry } from '../ports/school-registry.port.js';
import type { TenantServers } from '../ports/tenant-servers.port.js';
import { serverOf } from '../../domain/school/placement.js';
import { onRetiredKey } from '../rotate-credentials/rotate-credentials.js';
import { allSchools } from '../school/all-schools.js';
import { abandonedClaims, type AbandonedClaim } from '../request-school/slug-claims.js';
import { inPool } from '../in-pool.js';

export type Resource =
  'database' | 'dns' | 'certificate' | 'delivery' | 'registry' | 'credentials' | 'schema' | 'server';

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

export interface ReconcileDeps {
  store: EventStore;
  /** Every tenant server's school databases are compared with the schools placed there. */
  servers: TenantServers;
  dns: DnsProvider;
  certificates: CertificateProvider;
  /** Delivered certificates (CERT_DELIVERY): files or attachments this instance marked, compared too. */
  delivery?: CertificateDelivery;
  registry: SchoolRegistry;
  /** Delivered credentials (SCS_CREDENTIALS_DELIVERY), marked with `owner` (SCS_OWNER_ID), compared too. */
  credentialsDelivery?: { delivery: CredentialsDelivery; owner: string };
  baseDomain: string;
  /** The credentials keys: live schools on another than the active one are reported. */
  credentials?: { activeKeyId: string; keyIds: readonly string[] };
}

export interface ReconcileReport {
  findings: Finding[];
  /**
   * Slug claims whose request died before recording its school: the next request for the slug takes
   * one over, so they need nothing done; `fix` releases them now (`released`).
   */
  abandonedClaims: Array<AbandonedClaim & { released: boolean }>;
  checked: {
    schools: number;
    databases: number;
    dnsRecords: number;
    certificates: number;
    deliveries: number;
    deliveredCredentials: number;
    registryRows: number;
    skippedInFlight: number;
  };
}

function idFromDatabase(name: string): string | undefined {
  const hex = /^school_([0-9a-f]{32})$/.exec(name)?.[1];
  return hex && `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Compares the real resources with what the events account for. Schools still provisioning or being
 * undone are left alone: their resources are legitimately ahead of their events. With `fix`, orphans
 * are removed and each removal is recorded as an `OrphanRemoved` event (in the school's stream, or in
 * `scs_reconciler` when no school claims it), so the audit trail shows it.
 */
export async function reconcile(
  deps: ReconcileDeps,
  options: { fix: boolean; adopt?: boolean; metadata: EventMetadata },
): Promise<ReconcileReport> {
  const schools = await allSchools(deps.store);
  const settled = (id: string | undefined) => {
    const school = id ? schools.get(id) : undefined;
    // A school being moved has a database on two servers until its move is recorded: left alone.
    return !school || (TERMINAL_STATUSES.has(school.status) && !school.move);
  };
  const [listed, records, certificates, registryRows, deliveries, credentials] = await Promise.all([
    listEveryServer(deps.servers),
    deps.dns.list(),
    deps.certificates.listActive(),
    deps.registry.list(),
    deps.delivery?.listDelivered() ?? Promise.resolve([] as DeliveredCertificate[]),
    deps.credentialsDelivery?.delivery.listDelivered() ?? Promise.resolve([] as DeliveredCredentials[]),
  ]);
  const databases = listed.flatMap(({ server, names }) => (names ?? []).map((name) => ({ server, name })));
  const unreachable = new Set(listed.filter((l) => l.error !== undefined).map((l) => l.server));
  const bySubdomain = new Map([...schools.values()].map((s) => [s.subdomain, s]));
  const findings: Finding[] = [];
  const removals = new Map<Finding, () => Promise<unknown>>();
  let skippedInFlight = 0;
  const consider: Consider = (resource, name, schoolId, accounted, remove) => {
    if (!settled(schoolId)) {
      skippedInFlight++;
      return;
    }
    if (accounted) return;
    const known = schoolId ? schools.get(schoolId) : undefined;
    const detail = known
      ? `school is ${known.status} and its events say this was removed or never made`
      : 'no school claims it';
    const finding: Finding = { kind: 'orphan', resource, name, schoolId, detail };
    findings.push(finding);
    removals.set(finding, remove);
  };

  const placedOn = (school: SchoolState | undefined, server: string) =>
    !!school?.resources.database && serverOf(school) === server;
  for (const { server, name } of databases) {
    const id = idFromDatabase(name);
    // Named `server/database`: the same school's database on another server than its own is an orphan.
    consider('database', `${server}/${name}`, id, placedOn(id ? schools.get(id) : undefined, server), () =>
      deps.servers.on(server).drop(name),
    );
  }
  const zone = deps.baseDomain.toLowerCase();
  const inZone = records.filter((r) => r.name.endsWith(`.${zone}`));
  const marks = ownershipByName(inZone);
  const owner = deps.dns.owner;
  // What a school accounts for: the record at its name while it has one, the rest under it (its
  // certificate's validation records) while it has a certificate.
  const accountedDns = (name: string, schoolId: string) => {
    const school = schools.get(schoolId);
    return !!school && (name === school.subdomain ? !!school.resources.dns : !!school.resources.certificate);
  };
  const adoptions: Array<{ finding: Finding; record: DnsRecord; schoolId: string }> = [];
  for (const record of inZone.filter((r) => r.type !== 'TXT')) {
    const mark = marks.get(record.name);
    if (mark?.owner === owner) {
      consider('dns', `${record.name} ${record.type}`, mark.schoolId, accountedDns(record.name, mark.schoolId), () =>
        deps.dns.release(record.name, record.type, mark.schoolId),
      );
      continue;
    }
    const legacy = mark ? undefined : bySubdomain.get(record.name);
    const adoptable = !!legacy?.resources.dns && (legacy.resources.dns.recordType ?? record.type) === record.type;
    const detail = mark
      ? `owned by the SCS instance "${mark.owner}", not this one ("${owner}"): left alone`
      : adoptable
        ? `made before ownership records, and school ${legacy.id}'s events name it: \`reconcile --adopt\` marks it as SCS's`
        : 'not made by SCS (no ownership record): left alone';
    const finding: Finding = { kind: 'foreign', resource: 'dns', name: `${record.name} ${record.type}`, detail };
    if (legacy && adoptable) {
      finding.schoolId = legacy.id;
      adoptions.push({ finding, record, schoolId: legacy.id });
    }
    findings.push(finding);
  }
  // A mark of ours whose record is gone (someone deleted the record by hand).
  const named = new Set(inZone.filter((r) => r.type !== 'TXT').map((r) => r.name));
  for (const [name, mark] of marks) {
    if (mark.owner !== owner || named.has(name)) continue;
    consider('dns', `${ownershipName(name)} TXT`, mark.schoolId, accountedDns(name, mark.schoolId), () =>
      deps.dns.release(name, mark.type, mark.schoolId),
    );
  }
  for (const cert of certificates) {
    if (cert.shared) continue; // every school's under its zone: accounted for below, never removed
    if (cert.owner !== undefined && cert.owner !== owner) {
      const detail = cert.owner
        ? `issued for the SCS instance "${cert.owner}", not this one ("${owner}"): left alone`
        : 'carries no SCS owner tag (issued before ownership, or not by SCS): left alone';
      findings.push({ kind: 'foreign', resource: 'certificate', name: `${cert.domain} #${cert.serialNumber}`, detail });
      continue;
    }
    consider(
      'certificate',
      `${cert.domain} #${cert.serialNumber}`,
      cert.schoolId,
      !!schools.get(cert.schoolId)?.resources.certificate,
      () => deps.certificates.revoke({ schoolId: cert.schoolId, domain: cert.domain }),
    );
  }
  if (deps.delivery) compareDeliveries(deps.delivery, deliveries, schools, consider, findings);
  if (deps.credentialsDelivery) {
    const { delivery, owner } = deps.credentialsDelivery;
    compareCredentials(delivery, owner, credentials, schools, consider, findings);
  }
  for (const row of registryRows) {
    consider(
      'registry',
      `${row.slug} (${row.schoolId})`,
      row.schoolId,
      !!schools.get(row.schoolId)?.resources.registered,
      () => deps.registry.unregister(row.schoolId),
    );
  }

  // Drift: settled schools whose events say a resource exists that is not there.
  const realDatabases = new Set(databases.map(({ server, name }) => `${server}/${name}`));
  const real = (school: SchoolState) => realDatabases.has(`${serverOf(school)}/${school.databaseName}`);
  const realNames = new Set(records.map((r) => r.name));
  const certified = new Set(certificates.filter((c) => !c.shared).map((c) => c.schoolId));
  const sharedZones = new Set(certificates.filter((c) => c.shared).map((c) => c.domain.replace(/^\*\./, '')));
  const coveredByShared = (subdomain: string) => sharedZones.has(subdomain.slice(subdomain.indexOf('.') + 1));
  const registered = new Set(registryRows.map((r) => r.schoolId));
  for (const school of schools.values()) {
    if (!TERMINAL_STATUSES.has(school.status)) continue;
    const r = school.resources;
    if (r.database && !unreachable.has(serverOf(school)) && !real(school)) {
      const name = `${serverOf(school)}/${school.databaseName}`;
      const detail = 'the events say it exists, the server does not have it';
      findings.push({ kind: 'drift', resource: 'database', name, schoolId: school.id, detail });
    }
    if (r.dns && !realNames.has(school.subdomain))
      findings.push({
        kind: 'drift',
        resource: 'dns',
        name: school.subdomain,
        schoolId: school.id,
        detail: 'the events say the record exists, the zone does not have it',
      });
    if (r.certificate && !certified.has(school.id) && !coveredByShared(school.subdomain))
      findings.push({
        kind: 'drift',
        resource: 'certificate',
        name: r.certificate.serialNumber,
        schoolId: school.id,
        detail: 'no live certificate at the provider',
      });
    if (r.registered && !registered.has(school.id))
      findings.push({
        kind: 'drift',
        resource: 'registry',
        name: school.details.slug,
        schoolId: school.id,
        detail: 'no registry row',
      });
  }

  if (deps.credentials) findings.push(...retiredKeys(schools.values(), deps.credentials));
  for (const { server, error } of listed) {
    if (error !== undefined) findings.push({ kind: 'unreachable', resource: 'server', name: server, detail: error });
  }
  findings.push(
    ...(await schemaDrift(
      deps.servers,
      [...schools.values()].filter((s) => isLive(s) && s.resources.database && !!s.schemaVersion && real(s)),
    )),
  );

  if (options.fix) {
    for (const [finding, remove] of removals) {
      await remove();
      const stream =
        finding.schoolId && schools.has(finding.schoolId) ? schoolStreamId(finding.schoolId) : 'scs_reconciler';
      const data = {
        resource: finding.resource,
        name: finding.name,
        detail: finding.detail,
        removedAt: options.metadata.now,
      };
      await deps.store.append(stream, [{ type: 'OrphanRemoved', data, metadata: options.metadata }], 'any');
      finding.fixed = true;
    }
  }
  if (options.adopt) {
    for (const { finding, record, schoolId } of adoptions) {
      await deps.dns.adopt(record, schoolId);
      finding.adopted = true;
    }
  }
  const claims = await abandonedClaims(deps.store, new Set(schools.keys()), {
    now: options.metadata.now,
    release: options.fix ? options.metadata : undefined,
  });
  return {
    findings,
    abandonedClaims: claims.map((claim) => ({ ...claim, released: options.fix })),
    checked: {
      schools: schools.size,
      databases: databases.length,
      dnsRecords: records.length,
      certificates: certificates.length,
      deliveries: deliveries.length,
      deliveredCredentials: credentials.length,
      registryRows: registryRows.length,
      skippedInFlight,
    },
  };
}

/** Each server's school databases; a server that does not answer is reported, not taken as empty. */
type Listed = { server: string; names?: string[]; error?: string };

async function listEveryServer(servers: TenantServers): Promise<Listed[]> {
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

/** Live schools whose password is not made with the active key: `npm run scs -- secrets rotate` moves them. */
function retiredKeys(
  schools: Iterable<SchoolState>,
  keys: { activeKeyId: string; keyIds: readonly string[] },
): Finding[] {
  const findings: Finding[] = [];
  for (const school of schools) {
    if (!onRetiredKey(school, keys.activeKeyId)) continue;
    const keyId = school.credentials?.keyId;
    const on = keyId ? `key "${keyId}"` : 'the key from before key ids ("default")';
    const listed = keyId ? keys.keyIds.includes(keyId) : keys.keyIds.includes(DEFAULT_CREDENTIALS_KEY_ID);
    const detail =
      `password made with ${on}${listed ? '' : ', which is no longer listed'}, ` +
      `not the active key "${keys.activeKeyId}": run \`npm run scs -- secrets rotate\``;
    const name = `${school.databaseName}_owner`;
    findings.push({ kind: 'retired-key', resource: 'credentials', name, schoolId: school.id, detail });
  }
  return findings;
}

/** School databases whose schema `reconcile` reads at once (each read is a new session on its database). */
export const SCHEMA_READS_AT_ONCE = 8;

/**
 * Schema drift: the version a live school's events say against the one its database records, and
 * applied migrations whose shipped file has changed since. Reported only; a rollout fixes the first.
 * Each read opens a session on the school's own database (~10-200 ms here, most of it the session's
 * start): `SCHEMA_READS_AT_ONCE` at a time, findings in the schools' order.
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
