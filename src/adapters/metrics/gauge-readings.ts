import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CHECKPOINT_STORE, type CheckpointStore } from '../../ports/checkpoint-store.port.js';
import { EVENT_STORE, type EventStore } from '../../ports/event-store.port.js';
import { TENANT_SERVERS, type TenantServers } from '../../ports/tenant-servers.port.js';
import { ProcessManager } from '../../process-manager/process-manager.js';
import { CENTRAL_DATABASE, type CentralDatabase } from '../../composition/tokens.js';
import { metricSources } from './metric-sources.js';
import { PrometheusMetrics } from './prometheus-metrics.js';

/** Hands the gauges what they read at each scrape, once the parts exist (metric-sources.ts). */
@Injectable()
export class GaugeReadings implements OnModuleInit {
  constructor(
    @Inject(PrometheusMetrics) private readonly metrics: PrometheusMetrics,
    @Inject(CENTRAL_DATABASE) private readonly central: CentralDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CHECKPOINT_STORE) private readonly checkpoints: CheckpointStore,
    @Inject(ProcessManager) private readonly processManager: ProcessManager,
    @Inject(TENANT_SERVERS) private readonly tenantServers: TenantServers,
  ) {}

  onModuleInit(): void {
    const { central, store, checkpoints, processManager, tenantServers } = this;
    this.metrics.observe(metricSources({ pool: central.pool, store, checkpoints, processManager, tenantServers }));
  }
}
