import { Global, Module } from '@nestjs/common';
import { RetryingAppends } from '../school/retrying-appends.js';
import { CHECKPOINT_STORE } from '../ports/checkpoint-store.port.js';
import { EVENT_STORE, type EventStore } from '../ports/event-store.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import type { Config } from '../config/config.js';
import { PostgresCheckpointStore } from '../adapters/postgres/postgres-checkpoint-store.js';
import { PostgresEventStore } from '../adapters/event-store/postgres/postgres-event-store.js';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { APP_LOGGER, CENTRAL_DATABASE, CONFIG, type CentralDatabase } from './tokens.js';

/** The connection string without a password, for the log. */
function redacted(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * EVENTSTORE_CONNECTION_STRING selects EventStoreDB, otherwise the central PostgreSQL database keeps the
 * events. Either way every append gets its event ids before its first attempt, and is repeated with them
 * when the store could not be reached (school/retrying-appends).
 */
async function createEventStore(
  config: Config,
  central: CentralDatabase,
  logger: AppLogger,
  metrics: PrometheusMetrics,
): Promise<EventStore> {
  const connectionString = config.eventStoreConnectionString;
  if (!connectionString) {
    logger.log('events in the central PostgreSQL database');
    return new RetryingAppends(new PostgresEventStore({ pool: central.pool, logger }), { logger, telemetry: metrics });
  }
  // The KurrentDB client (gRPC) is loaded only when it is chosen: 0.3-0.6 s of every start otherwise.
  const { EventStoreDbEventStore } = await import('../adapters/event-store/eventstoredb/eventstoredb-event-store.js');
  logger.log(`events in KurrentDB (EventStoreDB) at ${redacted(connectionString)}`);
  const store = new EventStoreDbEventStore({ connectionString, logger });
  return new RetryingAppends(store, { logger, telemetry: metrics });
}

/** The event-store family: the store the configuration chose, and the checkpoints (always PostgreSQL). */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [CONFIG, CENTRAL_DATABASE, APP_LOGGER, PrometheusMetrics],
      useFactory: createEventStore,
    },
    {
      provide: CHECKPOINT_STORE,
      inject: [CENTRAL_DATABASE],
      useFactory: (central: CentralDatabase) => new PostgresCheckpointStore(central.pool),
    },
  ],
  exports: [EVENT_STORE, CHECKPOINT_STORE],
})
export class EventStoreModule {}
