import { isIP } from 'node:net';
import type { SchoolEvent, StepRun } from '../../domain/school/events.js';
import type { SchoolState } from '../../domain/school/state.js';
import type { SchoolCredentialsPort } from '../ports/school-credentials.port.js';
import type { ActionName } from '../../domain/school/steps.js';
import type { CertificateProvider } from '../ports/certificates.port.js';
import type { DatabaseArchives } from '../ports/database-archives.port.js';
import type { DnsProvider, DnsRecordType } from '../ports/dns.port.js';
import type { EventMetadata, EventStore } from '../ports/event-store.port.js';
import type { Mailer } from '../ports/mailer.port.js';
import type { SchoolRegistry } from '../ports/school-registry.port.js';
import type { TenantDatabases } from '../ports/tenant-databases.port.js';
import { releaseSlug } from '../request-school/slug-claims.js';
import type { FaultInjector } from './faults.js';

export interface StepPorts {
  store: EventStore;
  databases: TenantDatabases;
  dns: DnsProvider;
  certificates: CertificateProvider;
  mailer: Mailer;
  registry: SchoolRegistry;
  archives: DatabaseArchives;
  /** Owner role and password of each school database (the password derived, never stored in clear). */
  credentials: SchoolCredentialsPort;
  faults: FaultInjector;
  /** What `<slug>.<BASE_DOMAIN>` points at: an IP gives an A record, a host name a CNAME. */
  dnsTarget: string;
}

type Timing = Omit<StepRun, 'finishedAt'>;

export function recordTypeFor(target: string): DnsRecordType {
  return isIP(target) ? 'A' : 'CNAME';
}

/**
 * Runs one step or compensation for a school and returns the event that records it. Every action
 * is idempotent: after a crash between the side effect and the event it runs again and must neither
 * fail nor duplicate anything.
 */
export async function runAction(
  ports: StepPorts,
  state: SchoolState,
  action: ActionName,
  timing: Timing,
  metadata: EventMetadata,
): Promise<SchoolEvent> {
  ports.faults.beforeStep(action, timing.attempt);
  const event = await sideEffect(ports, state, action, timing, metadata);
  ports.faults.afterSideEffect(action, state.id);
  return event;
}

async function sideEffect(ports: StepPorts, state: SchoolState, action: ActionName, timing: Timing, metadata: EventMetadata): Promise<SchoolEvent> {
  const run = () => ({ ...timing, finishedAt: new Date().toISOString() });
  const { details, databaseName, subdomain } = state;
  switch (action) {
    case 'reserve_slug':
      // Claimed synchronously by POST /school; the event is written with the request.
      throw new Error('reserve_slug is recorded with the request');
    case 'create_database': {
      const created = await ports.databases.create(databaseName);
      return { type: 'DatabaseCreated', data: { ...run(), databaseName, method: created.method, alreadyExisted: created.alreadyExisted, durationMs: created.durationMs } };
    }
    case 'run_migrations': {
      const migrated = await ports.databases.migrate(databaseName);
      const credentialsKeyId = ports.credentials.activeKeyId;
      const password = ports.credentials.passwordFor(state.id, { keyId: credentialsKeyId, generation: 0 });
      await ports.databases.secure(databaseName, { role: ports.credentials.roleFor(databaseName), password });
      const { schemaVersion, applied, tableCount, durationMs } = migrated;
      const data = { ...run(), databaseName, schemaVersion, applied, tableCount, durationMs, credentialsKeyId };
      return { type: 'MigrationsApplied', data };
    }
    case 'create_dns': {
      const recordType = recordTypeFor(ports.dnsTarget);
      const change = await ports.dns.upsert({ name: subdomain, type: recordType, value: ports.dnsTarget, ttl: 300 });
      return { type: 'DnsRecordCreated', data: { ...run(), provider: ports.dns.name, name: subdomain, recordType, value: ports.dnsTarget, reference: change.reference } };
    }
    case 'issue_certificate': {
      const cert = await ports.certificates.issue({ schoolId: state.id, domain: subdomain });
      return { type: 'CertificateIssued', data: { ...run(), provider: ports.certificates.name, domain: cert.domain, reference: cert.reference, serialNumber: cert.serialNumber, issuer: cert.issuer, notBefore: cert.notBefore, notAfter: cert.notAfter } };
    }
    case 'register_school': {
      const result = await ports.registry.register({
        schoolId: state.id, slug: details.slug, name: details.name, databaseName, subdomain, district: details.district, board: details.board, adminEmail: details.adminEmail,
        databaseRole: ports.credentials.roleFor(databaseName),
        // The password run_migrations set (its key id is in the events), sealed with the active key.
        databasePasswordEncrypted: ports.credentials.encrypt(
          ports.credentials.passwordFor(state.id, state.credentials),
        ),
      });
      return { type: 'SchoolRegistered', data: { ...run(), alreadyRegistered: result.alreadyRegistered } };
    }
    case 'send_welcome_email': {
      const sent = await ports.mailer.sendWelcome({ schoolId: state.id, schoolName: details.name, slug: details.slug, to: details.adminEmail, loginUrl: `https://${subdomain}/` });
      return { type: 'WelcomeEmailSent', data: { ...run(), provider: ports.mailer.name, to: details.adminEmail, messageId: sent.messageId } };
    }
    case 'unregister_school': {
      const result = await ports.registry.unregister(state.id);
      return { type: 'SchoolUnregistered', data: { ...run(), existed: result.existed } };
    }
    case 'revoke_certificate': {
      const result = await ports.certificates.revoke({ schoolId: state.id, domain: subdomain, reference: state.resources.certificate?.reference });
      return { type: 'CertificateRevoked', data: { ...run(), provider: ports.certificates.name, reference: result.reference, revoked: result.revoked } };
    }
    case 'delete_dns': {
      const recordType = (state.resources.dns?.recordType as DnsRecordType | undefined) ?? recordTypeFor(ports.dnsTarget);
      const result = await ports.dns.remove(subdomain, recordType);
      return { type: 'DnsRecordDeleted', data: { ...run(), provider: ports.dns.name, name: subdomain, recordType, existed: result.existed, reference: result.reference } };
    }
    case 'drop_database': {
      // A teardown keeps the school's data first; a rollback has none worth keeping.
      const archive = state.status === 'deprovisioning' && (await ports.databases.exists(databaseName))
        ? await ports.archives.archive({ schoolId: state.id, databaseName })
        : undefined;
      const dropped = await ports.databases.drop(databaseName);
      return { type: 'DatabaseDropped', data: { ...run(), databaseName, existed: dropped.existed, terminatedConnections: dropped.terminatedConnections, ...(archive ? { archive } : {}) } };
    }
    case 'release_slug': {
      await releaseSlug(ports.store, details.slug, state.id, metadata);
      return { type: 'SlugReleased', data: { ...run(), slug: details.slug } };
    }
    default: {
      const never: never = action;
      return never;
    }
  }
}
