import { serverOf } from '../../domain/school/placement.js';
import type { SchoolState } from '../../domain/school/state.js';
import type { CredentialsDelivery, SchoolConnection } from '../../ports/credentials-delivery.port.js';
import type { CredentialsDeliveryRecord, CredentialsWithdrawalRecord } from '../../domain/school/event-records.js';
import type { SchoolCredentialsPort } from '../../ports/school-credentials.port.js';
import type { TenantServers } from '../../ports/tenant-servers.port.js';

/**
 * The school's connection as its role's password is now: derived from the key id and generation the
 * events name (or those given, for a rotation about to be recorded).
 */
export function connectionOf(
  state: SchoolState,
  ports: { servers: Pick<TenantServers, 'endpoint'>; credentials: SchoolCredentialsPort },
  credentials: SchoolState['credentials'] = state.credentials,
): SchoolConnection {
  const server = serverOf(state);
  return {
    schoolId: state.id,
    server,
    ...ports.servers.endpoint(server),
    database: state.databaseName,
    role: ports.credentials.roleFor(state.databaseName),
    password: ports.credentials.passwordFor(state.id, credentials),
  };
}

/** Delivers the connection where SCS_CREDENTIALS_DELIVERY says; what the event records (nothing for `api`). */
export async function deliverConnection(
  delivery: CredentialsDelivery,
  state: SchoolState,
  connection: SchoolConnection,
): Promise<CredentialsDeliveryRecord | undefined> {
  const { location } = await delivery.deliver({ id: state.id, slug: state.details.slug }, connection);
  if (delivery.name === 'api') return undefined;
  return { delivery: delivery.name, ...(location ? { location } : {}) };
}

/** Withdraws the delivered connection; what the event records (nothing for `api`). */
export async function withdrawConnection(
  delivery: CredentialsDelivery,
  state: SchoolState,
): Promise<CredentialsWithdrawalRecord | undefined> {
  const { location, existed } = await delivery.withdraw({ id: state.id, slug: state.details.slug });
  if (delivery.name === 'api') return undefined;
  return { delivery: delivery.name, ...(location ? { location } : {}), existed };
}
