import { type DynamicModule, Module } from '@nestjs/common';
import type { AppLogger } from '../ports/logger.port.js';
import type { Config } from '../config/config.js';
import { CommandHandlersModule } from './command-handlers.module.js';
import { CentralDatabaseModule } from './central-database.module.js';
import { ConfigModule } from './config.module.js';
import { EventStoreModule } from './event-store.module.js';
import { LifecycleModule } from './lifecycle.module.js';
import { ProcessModule } from './process.module.js';
import { ProvidersModule } from './providers.module.js';
import { SchoolsModule } from './schools.module.js';
import { TelemetryModule } from './telemetry.module.js';
import { WebhooksModule } from './webhooks.module.js';

/**
 * Every adapter SCS runs with, one module per port family, each choosing its adapters from the
 * configuration, the command handlers, and their lifecycle (LifecycleModule). The HTTP application imports
 * it (AppModule), and the CLI runs it as a Nest application context (createAppContext).
 */
@Module({})
export class CoreModule {
  static forConfig(config: Config, logger: AppLogger): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forConfig(config, logger),
        TelemetryModule,
        CentralDatabaseModule,
        EventStoreModule,
        SchoolsModule,
        ProvidersModule,
        ProcessModule,
        WebhooksModule,
        LifecycleModule,
        CommandHandlersModule,
      ],
      exports: [CommandHandlersModule],
    };
  }
}
