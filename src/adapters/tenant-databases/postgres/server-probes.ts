import pg from 'pg';
import { describeError } from '../../../shared/describe-error.js';
import { guardClient } from '../../postgres/connection-faults.js';
import { KEEPALIVE } from '../../postgres/deadlines.js';

/** How long a probe's answer stands: placements in a burst share it instead of each opening connections. */
const PROBE_TTL_MS = 1000;
const PROBE_TIMEOUT_MS = 2000;

export interface ProbeAnswer {
  reachable: boolean;
  error?: string;
}

interface Probe {
  at: number;
  result: Promise<ProbeAnswer>;
}

/** Whether each tenant server answers now: a new session and `SELECT 1`, within 2 s. */
export class ServerProbes {
  private readonly probes = new Map<string, Probe>();

  constructor(private readonly servers: ReadonlyArray<{ name: string; url: string }>) {}

  /** Every server's answer, by name (a recent answer is reused). */
  async all(): Promise<Map<string, ProbeAnswer>> {
    const now = Date.now();
    const answers = await Promise.all(
      this.servers.map(async ({ name, url }) => {
        let probe = this.probes.get(name);
        if (!probe || now - probe.at > PROBE_TTL_MS) {
          probe = { at: now, result: this.probe(url) };
          this.probes.set(name, probe);
        }
        return [name, await probe.result] as const;
      }),
    );
    return new Map(answers);
  }

  private async probe(url: string): Promise<ProbeAnswer> {
    const client = guardClient(
      new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: PROBE_TIMEOUT_MS,
        query_timeout: PROBE_TIMEOUT_MS,
        ...KEEPALIVE,
      }),
      'tenant server probe',
    );
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { reachable: true };
    } catch (error) {
      return { reachable: false, error: describeError(error) };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
