import { schoolStreamId } from '../domain/school/events.js';
import { serverOf } from '../domain/school/placement.js';
import type { SchoolState } from '../domain/school/state.js';
import { DEFAULT_CREDENTIALS_KEY_ID, isLive, TERMINAL_STATUSES } from '../domain/school/state.js';
import type { CertificateDelivery, DeliveredCertificate } from '../ports/certificate-delivery.port.js';
import type { CertificateProvider } from '../ports/certificates.port.js';
import type { CredentialsDelivery, DeliveredCredentials } from '../ports/credentials-delivery.port.js';
import type { DnsProvider, DnsRecord } from '../ports/dns.port.js';
import type { EventMetadata, EventStore } from '../ports/event-store.port.js';
import type { SchoolRegistry } from '../ports/school-registry.port.js';
import type { TenantServers } from '../ports/tenant-servers.port.js';
import { abandonedClaims, type AbandonedClaim } from '../school/request-school/slug-claims.js';
import { onRetiredKey } from '../school/rotate-credentials/rotate-credentials.js';
import { allSchools } from '../school/all-schools.js';
import { compareCredentials, compareDeliveries } from './deliveries.js';
import { type Finding, Sweep } from './findings.js';
import { compareCertificates } from './reconcile-certificates.js';
import { compareDatabases, type Listed, listEveryServer, schemaDrift } from './reconcile-databases.js';
import { type Adoption, compareDns, dnsDrift } from './reconcile-dns.js';

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

/** What the world holds, read at once from every provider. */
interface Seen {
  listed: Listed[];
  databases: Array<{ server: string; name: string }>;
  records: DnsRecord[];
  certificates: Awaited<ReturnType<CertificateProvider['listActive']>>;
  registryRows: Awaited<ReturnType<SchoolRegistry['list']>>;
  deliveries: DeliveredCertificate[];
  credentials: DeliveredCredentials[];
}

async function look(deps: ReconcileDeps): Promise<Seen> {
  const [listed, records, certificates, registryRows, deliveries, credentials] = await Promise.all([
    listEveryServer(deps.servers),
    deps.dns.list(),
    deps.certificates.listActive(),
    deps.registry.list(),
    deps.delivery?.listDelivered() ?? Promise.resolve([] as DeliveredCertificate[]),
    deps.credentialsDelivery?.delivery.listDelivered() ?? Promise.resolve([] as DeliveredCredentials[]),
  ]);
  const databases = listed.flatMap(({ server, names }) => (names ?? []).map((name) => ({ server, name })));
  return { listed, databases, records, certificates, registryRows, deliveries, credentials };
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
  const sweep = new Sweep(await allSchools(deps.store));
  const seen = await look(deps);
  const adoptions = compareResources(sweep, deps, seen);
  await compareWithEvents(sweep, deps, seen);
  if (options.fix) await removeOrphans(sweep, deps.store, options.metadata);
  if (options.adopt) await adopt(adoptions, deps.dns);
  const claims = await abandonedClaims(deps.store, new Set(sweep.schools.keys()), {
    now: options.metadata.now,
    release: options.fix ? options.metadata : undefined,
  });
  return {
    findings: sweep.findings,
    abandonedClaims: claims.map((claim) => ({ ...claim, released: options.fix })),
    checked: {
      schools: sweep.schools.size,
      databases: seen.databases.length,
      dnsRecords: seen.records.length,
      certificates: seen.certificates.length,
      deliveries: seen.deliveries.length,
      deliveredCredentials: seen.credentials.length,
      registryRows: seen.registryRows.length,
      skippedInFlight: sweep.skippedInFlight,
    },
  };
}

/** Orphans and foreign resources: what is there that no settled school accounts for. */
function compareResources(sweep: Sweep, deps: ReconcileDeps, seen: Seen): Adoption[] {
  compareDatabases(sweep, deps.servers, seen.databases);
  const adoptions = compareDns(sweep, deps.dns, deps.baseDomain, seen.records);
  compareCertificates(sweep, deps.certificates, deps.dns.owner, seen.certificates);
  if (deps.delivery) compareDeliveries(deps.delivery, seen.deliveries, sweep.schools, sweep.consider, sweep.findings);
  if (deps.credentialsDelivery) {
    const { delivery, owner } = deps.credentialsDelivery;
    compareCredentials(delivery, owner, seen.credentials, sweep.schools, sweep.consider, sweep.findings);
  }
  for (const row of seen.registryRows) {
    const accounted = !!sweep.schools.get(row.schoolId)?.resources.registered;
    sweep.consider('registry', `${row.slug} (${row.schoolId})`, row.schoolId, accounted, () =>
      deps.registry.unregister(row.schoolId),
    );
  }
  return adoptions;
}

/** Drift (settled schools whose events say a resource exists that is not there), keys, servers, schemas. */
async function compareWithEvents(sweep: Sweep, deps: ReconcileDeps, seen: Seen): Promise<void> {
  const unreachable = new Set(seen.listed.filter((l) => l.error !== undefined).map((l) => l.server));
  const realDatabases = new Set(seen.databases.map(({ server, name }) => `${server}/${name}`));
  const real = (school: SchoolState) => realDatabases.has(`${serverOf(school)}/${school.databaseName}`);
  const there: There = {
    database: (school) => unreachable.has(serverOf(school)) || real(school),
    dnsNames: new Set(seen.records.map((r) => r.name)),
    certified: new Set(seen.certificates.filter((c) => !c.shared).map((c) => c.schoolId)),
    sharedZones: new Set(seen.certificates.filter((c) => c.shared).map((c) => c.domain.replace(/^\*\./, ''))),
    registered: new Set(seen.registryRows.map((r) => r.schoolId)),
  };
  for (const school of sweep.schools.values()) {
    if (TERMINAL_STATUSES.has(school.status)) sweep.findings.push(...driftOf(school, there));
  }
  if (deps.credentials) sweep.findings.push(...retiredKeys(sweep.schools.values(), deps.credentials));
  for (const { server, error } of seen.listed) {
    if (error !== undefined)
      sweep.findings.push({ kind: 'unreachable', resource: 'server', name: server, detail: error });
  }
  const live = [...sweep.schools.values()].filter((s) => isLive(s) && s.resources.database && !!s.schemaVersion);
  sweep.findings.push(...(await schemaDrift(deps.servers, live.filter(real))));
}

interface There {
  database: (school: SchoolState) => boolean;
  dnsNames: Set<string>;
  certified: Set<string>;
  sharedZones: Set<string>;
  registered: Set<string>;
}

function driftOf(school: SchoolState, there: There): Finding[] {
  const r = school.resources;
  const findings: Finding[] = [];
  const drift = (resource: Finding['resource'], name: string, detail: string) =>
    findings.push({ kind: 'drift', resource, name, schoolId: school.id, detail });
  if (r.database && !there.database(school)) {
    drift(
      'database',
      `${serverOf(school)}/${school.databaseName}`,
      'the events say it exists, the server does not have it',
    );
  }
  findings.push(...dnsDrift(school, there.dnsNames));
  const coveredByShared = there.sharedZones.has(school.subdomain.slice(school.subdomain.indexOf('.') + 1));
  if (r.certificate && !there.certified.has(school.id) && !coveredByShared) {
    drift('certificate', r.certificate.serialNumber, 'no live certificate at the provider');
  }
  if (r.registered && !there.registered.has(school.id)) drift('registry', school.details.slug, 'no registry row');
  return findings;
}

async function removeOrphans(sweep: Sweep, store: EventStore, metadata: EventMetadata): Promise<void> {
  for (const [finding, remove] of sweep.removals) {
    await remove();
    const known = finding.schoolId && sweep.schools.has(finding.schoolId);
    const stream = known ? schoolStreamId(finding.schoolId!) : 'scs_reconciler';
    const data = { resource: finding.resource, name: finding.name, detail: finding.detail, removedAt: metadata.now };
    await store.append(stream, [{ type: 'OrphanRemoved', data, metadata }], 'any');
    finding.fixed = true;
  }
}

async function adopt(adoptions: Adoption[], dns: DnsProvider): Promise<void> {
  for (const { finding, record, schoolId } of adoptions) {
    await dns.adopt(record, schoolId);
    finding.adopted = true;
  }
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
