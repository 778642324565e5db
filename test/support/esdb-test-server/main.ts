import { startEsdbTestServer } from './esdb-test-server.js';

// Manual runs: `node dist/test/support/esdb-test-server/main.js [--port N]`, then point a client at the printed string.
function portArgument(args: readonly string[]): number | undefined {
  const at = args.indexOf('--port');
  if (at < 0) return undefined;
  const port = Number(args[at + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port needs a port number, got ${args[at + 1]}`);
  return port;
}

const server = await startEsdbTestServer({ port: portArgument(process.argv.slice(2)) });
console.log(server.connectionString);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
