import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { projectRoot } from './shared/project-root.js';
import { startTracing } from './adapters/tracing/start-tracing.js';

/**
 * The entry point. The configuration is read first; when it asks for traces, OpenTelemetry starts before
 * the service's modules are imported (./serve.js, dynamically), so that express, pg and http are loaded
 * through its instrumentation hooks. With tracing off, nothing of the SDK is loaded.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, { dataDir: join(projectRoot(), '.scs-data') });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const tracing = config.tracing ? await startTracing(config.tracing.serviceName) : undefined;
  const { serve } = await import('./serve.js');
  await serve(config, tracing);
}

main().catch((error) => {
  process.stderr.write(`SCS failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
