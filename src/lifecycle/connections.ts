import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port.js';
import { LOCKS, type Locks } from '../ports/locks.port.js';
import type pg from 'pg';
import { CENTRAL_DATABASE, READ_SIDE, type CentralDatabase } from '../composition/tokens.js';
import { PostgresTenantServers } from '../adapters/tenant-databases/postgres/postgres-tenant-servers.js';

/** The locks adapter holds connections of its own (adapters/locks). */
type ClosableLocks = Locks & { close(): Promise<void> };

/**
 * Every connection the adapters opened, closed in order once nothing uses them: the event store, the
 * tenant servers, the locks, TypeORM (the registry), the read side's pool, the central pool, and the
 * embedded PostgreSQL last. A close that fails does not keep the others open.
 */
@Injectable()
export class Connections {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PostgresTenantServers) private readonly servers: PostgresTenantServers,
    @Inject(LOCKS) private readonly locks: ClosableLocks,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(READ_SIDE) private readonly readSide: pg.Pool,
    @Inject(CENTRAL_DATABASE) private readonly central: CentralDatabase,
  ) {}

  async close(): Promise<void> {
    await this.store.close().catch(() => undefined);
    await this.servers.close().catch(() => undefined);
    await this.locks.close().catch(() => undefined);
    await this.dataSource.destroy().catch(() => undefined);
    await this.readSide.end().catch(() => undefined);
    await this.central.pool.end().catch(() => undefined);
    await this.central.embedded?.stop().catch(() => undefined);
  }
}
