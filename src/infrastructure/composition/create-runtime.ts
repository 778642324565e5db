import { NestFactory } from '@nestjs/core';
import type { AppLogger } from '../../application/ports/logger.port.js';
import type { Config } from '../../config/config.js';
import { Runtime } from '../runtime.js';
import { CoreModule } from './core.module.js';

/**
 * The adapters without the HTTP side, as a Nest application context (the CLI, tests): the same modules
 * the service runs with. Nothing runs in the background until `start()`; `close()` closes everything.
 */
export async function createRuntime(config: Config, logger: AppLogger): Promise<Runtime> {
  const context = await NestFactory.createApplicationContext(CoreModule.forConfig(config, logger), {
    logger: false,
    abortOnError: false,
  });
  return context.get(Runtime).ownedBy(context);
}
