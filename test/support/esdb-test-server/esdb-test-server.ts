import { randomUUID } from 'node:crypto';
import { Server, ServerCredentials, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { EventLog } from './event-log.js';
import { CallRegistry } from './calls.js';
import { handleAppend } from './append.js';
import { handleRead } from './read.js';
import { streamsGrpc } from './proto.js';

export interface EsdbTestServer {
  readonly port: number;
  readonly connectionString: string; // `kurrentdb://127.0.0.1:${port}?tls=false`
  /**
   * Ends every in-flight call with UNAVAILABLE (what a client sees when the connection drops); the server keeps
   * listening.
   */
  dropConnections(): void;
  /** Stops listening (in-flight calls end with UNAVAILABLE); data is kept. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same data. */
  start(): Promise<void>;
  /** Number of events in $all, system events included. */
  readonly eventCount: number;
}

// Where a fresh node's stats go: `$stats-<http endpoint>`; only the name's shape matters here.
const STATS_STREAM = '$stats-127.0.0.1:2113';
// Long enough for a node's first chunk header and epoch record, which come before any event.
const EPOCH_RECORD_SIZE = 128n;
const SHUTDOWN_GRACE_MS = 500;

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), 'utf8');
const noMetadata = new Uint8Array();

/**
 * What a fresh single node has written before any client: its epoch (in `$epoch-information`, which
 * $all reads leave out), then the `$maxAge` metadata of its stats stream and a first `$statsCollected`.
 */
function seedFreshNode(log: EventLog): void {
  log.reserve(EPOCH_RECORD_SIZE);
  const epoch = {
    epochPosition: 0,
    epochNumber: 0,
    epochId: randomUUID(),
    leaderInstanceId: randomUUID(),
    time: new Date().toISOString(),
  };
  const system = (type: string, data: Uint8Array) => [
    { id: randomUUID(), type, isJson: true, data, metadata: noMetadata },
  ];
  log.append('$epoch-information', { kind: 'no_stream' }, system('$epoch-information', json(epoch)));
  log.append(`$$${STATS_STREAM}`, { kind: 'no_stream' }, system('$metadata', json({ $maxAge: 864_000 })));
  log.append(
    STATS_STREAM,
    { kind: 'any' },
    system('$statsCollected', json({ 'proc-startTime': new Date().toISOString() })),
  );
}

function unimplemented(_call: unknown, callback?: (error: { code: status; details: string }) => void): void {
  callback?.({ code: status.UNIMPLEMENTED, details: 'the EventStoreDB test server does not implement this call' });
}

/**
 * An in-memory EventStoreDB answering the Streams calls that @kurrent/kurrentdb-client 1.3 makes for
 * appends (grpc-js), reads (its Rust bridge) and catch-up subscriptions (grpc-js). ServerFeatures is
 * left out on purpose: the client then uses Streams.Append instead of BatchAppend or the v2 appends.
 */
class InMemoryEsdb implements EsdbTestServer {
  private readonly log = new EventLog();
  private readonly calls = new CallRegistry();
  private server: Server | undefined;

  constructor(
    private readonly host: string,
    public port: number,
  ) {
    seedFreshNode(this.log);
  }

  get connectionString(): string {
    return `kurrentdb://${this.host}:${this.port}?tls=false`;
  }

  get eventCount(): number {
    return this.log.visibleCount;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = new Server();
    const streams: UntypedServiceImplementation = {
      read: handleRead(this.log, this.calls),
      append: handleAppend(this.log, this.calls),
      delete: unimplemented,
      tombstone: unimplemented,
      batchAppend: (call: { emit(event: 'error', error: object): void }) =>
        call.emit('error', { code: status.UNIMPLEMENTED, details: 'BatchAppend is not implemented' }),
    };
    server.addService(streamsGrpc.StreamsService, streams);
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.host}:${this.port}`, ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    this.server = server;
  }

  dropConnections(): void {
    this.calls.interruptAll('Connection dropped by the EventStoreDB test server');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.calls.interruptAll('The EventStoreDB test server stopped');
    // Let the UNAVAILABLE statuses reach the clients before the sockets close; force what lingers.
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}

export async function startEsdbTestServer(options: { port?: number; host?: string } = {}): Promise<EsdbTestServer> {
  const server = new InMemoryEsdb(options.host ?? '127.0.0.1', options.port ?? 0);
  await server.start();
  return server;
}
