import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AppLogger } from '../ports/logger.port.js';
import type { Config } from '../config/config.js';
import { CoreModule } from './core.module.js';

/**
 * The adapters without the HTTP side, as a Nest application context (the CLI, tests): the same modules
 * the service runs with. Nothing runs in the background (the Lifecycle is never started); `close()`
 * closes every connection in order.
 */
export function createAppContext(config: Config, logger: AppLogger): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(CoreModule.forConfig(config, logger), {
    logger: false,
    abortOnError: false,
  });
}
