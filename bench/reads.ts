/** GET throughput and latency of a running SCS, with autocannon (50 connections, as the issue measured). */
import autocannon from 'autocannon';
import { API_KEY } from '../test/support/scs-process.js';

export interface ReadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function load(url: string, seconds: number, connections = 50): Promise<ReadFigures> {
  const result = await autocannon({ url, connections, duration: seconds, headers: { 'X-SCS-Key': API_KEY } });
  // A rate of errors or 429s would be a fast figure of nothing: the run must be all 2xx.
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `GET ${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors in ${result['2xx']} requests`,
    );
  }
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}
