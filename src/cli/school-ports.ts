import type { INestApplicationContext } from '@nestjs/common';
import { CLOCK, type Clock } from '../ports/clock.port.js';
import { CREDENTIALS_DELIVERY, type CredentialsDelivery } from '../ports/credentials-delivery.port.js';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port.js';
import { SCHOOL_CREDENTIALS, type SchoolCredentialsPort } from '../ports/school-credentials.port.js';
import { SCHOOL_REGISTRY, type SchoolRegistry } from '../ports/school-registry.port.js';
import { TENANT_SERVERS, type TenantServers } from '../ports/tenant-servers.port.js';

/** The ports a use case on one school's database works with (a move, a credentials rotation). */
export interface SchoolPorts {
  store: EventStore;
  servers: TenantServers;
  registry: SchoolRegistry;
  credentials: SchoolCredentialsPort;
  delivery: CredentialsDelivery;
  clock: Clock;
}

/** Those ports, as the service's composition made them. */
export function schoolPorts(app: INestApplicationContext): SchoolPorts {
  return {
    store: app.get<EventStore>(EVENT_STORE),
    servers: app.get<TenantServers>(TENANT_SERVERS),
    registry: app.get<SchoolRegistry>(SCHOOL_REGISTRY),
    credentials: app.get<SchoolCredentialsPort>(SCHOOL_CREDENTIALS),
    delivery: app.get<CredentialsDelivery>(CREDENTIALS_DELIVERY),
    clock: app.get<Clock>(CLOCK),
  };
}
