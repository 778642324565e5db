import type { EventOf, SchoolEvent, StepRun } from '../../domain/school/events.js';
import type { SchoolState } from '../../domain/school/state.js';
import type { CompensationOf, LifecycleActionName, RecordedBy, StepName } from '../../domain/school/steps.js';
import type { CertificateDelivery } from '../../ports/certificate-delivery.port.js';
import type { CredentialsDelivery } from '../../ports/credentials-delivery.port.js';
import type { CertificateProvider } from '../../ports/certificates.port.js';
import type { DatabaseArchives } from '../../ports/database-archives.port.js';
import type { DnsProvider } from '../../ports/dns.port.js';
import type { EventMetadata, EventStore } from '../../ports/event-store.port.js';
import type { Mailer } from '../../ports/mailer.port.js';
import type { SchoolCredentialsPort } from '../../ports/school-credentials.port.js';
import type { SchoolRegistry } from '../../ports/school-registry.port.js';
import type { TenantServers } from '../../ports/tenant-servers.port.js';
import type { FaultPoints } from '../../ports/fault-points.port.js';

/** Everything a step may use; each step module names the part it needs. */
export interface StepPorts {
  store: EventStore;
  /** The tenant servers: a school's database is on the one its events name (`state.server`). */
  servers: TenantServers;
  dns: DnsProvider;
  certificates: CertificateProvider;
  /** Where certificates go for TLS (CERT_DELIVERY). */
  delivery: CertificateDelivery;
  mailer: Mailer;
  registry: SchoolRegistry;
  archives: DatabaseArchives;
  /** Owner role and password of each school database (the password derived, never stored in clear). */
  credentials: SchoolCredentialsPort;
  /** Where school apps get their connection (SCS_CREDENTIALS_DELIVERY): given on registering, taken on undo. */
  credentialsDelivery: CredentialsDelivery;
  faults: FaultPoints;
  /** What `<slug>.<BASE_DOMAIN>` points at: an IP gives an A record, a host name a CNAME. */
  dnsTarget: string;
  /** What it points at while the school is suspended (a maintenance page); absent: it is left as it is. */
  suspendedDnsTarget?: string;
}

export type PortName = keyof StepPorts;

/** What a step's `run` or `undo` gets: only the ports its module declares in `needs`. */
export interface StepContext<P extends PortName> {
  ports: Pick<StepPorts, P>;
  state: SchoolState;
  metadata: EventMetadata;
  /** The attempt and its timing, finished now: the `StepRun` part of the event it returns. */
  run(): StepRun;
}

/**
 * One provisioning step and its compensation: what it does, how it is undone, and (by its types) the
 * events that record each. Both must be idempotent: after a crash between the side effect and its
 * event, they run again and must neither fail nor duplicate anything.
 */
export type StepModule<N extends StepName, P extends PortName> = {
  name: N;
  needs: readonly P[];
  run(context: StepContext<P>): Promise<EventOf<RecordedBy<N>>>;
} & ([CompensationOf<N>] extends [never]
  ? { undo?: never }
  : { undo(context: StepContext<P>): Promise<EventOf<RecordedBy<CompensationOf<N>>>> });

/** Checks a module against its step's types (the ports it may use are inferred from `needs`). */
export function defineStep<N extends StepName, P extends PortName>(module: StepModule<N, P>): StepModule<N, P> {
  return module;
}

/** A module as the runner sees it, whatever its step. */
export interface AnyStepModule {
  name: StepName;
  needs: readonly PortName[];
  run(context: StepContext<PortName>): Promise<SchoolEvent>;
  undo?(context: StepContext<PortName>): Promise<SchoolEvent>;
}

/** A lifecycle action (`LIFECYCLE_ACTIONS`): what it does and the event that records it. Idempotent, as a step. */
export interface LifecycleModule<N extends LifecycleActionName, P extends PortName> {
  name: N;
  needs: readonly P[];
  run(context: StepContext<P>): Promise<EventOf<RecordedBy<N>>>;
}

/** Checks a lifecycle action's module against its types, as `defineStep` does a step's. */
export function defineLifecycleAction<N extends LifecycleActionName, P extends PortName>(
  module: LifecycleModule<N, P>,
): LifecycleModule<N, P> {
  return module;
}
