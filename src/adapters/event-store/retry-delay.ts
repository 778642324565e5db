/** How long to wait before retry number `failures` (from 1): doubling from 200 ms, at most `maxMs`. */
export function retryDelay(failures: number, maxMs = 5_000): number {
  return Math.min(maxMs, 100 * 2 ** failures);
}
