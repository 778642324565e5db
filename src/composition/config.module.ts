import { type DynamicModule, Global, Module } from '@nestjs/common';
import { CLOCK, systemClock } from '../ports/clock.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import { APP_SETTINGS, type AppSettings } from '../shared/settings.js';
import type { Config } from '../config/config.js';
import { APP_LOGGER, CONFIG } from './tokens.js';

/** What the use cases take from the configuration. */
function appSettings(config: Config): AppSettings {
  return {
    baseDomain: config.baseDomain,
    reservedSlugs: config.reservedSlugs,
    archiveRetentionDays: config.archiveRetentionDays,
  };
}

/** The configuration, the logger, the clock and the use cases' settings, visible to every module. */
@Global()
@Module({})
export class ConfigModule {
  static forConfig(config: Config, logger: AppLogger): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: APP_LOGGER, useValue: logger },
        { provide: CLOCK, useValue: systemClock },
        { provide: APP_SETTINGS, useValue: appSettings(config) },
      ],
      exports: [CONFIG, APP_LOGGER, CLOCK, APP_SETTINGS],
    };
  }
}
