import { execFile } from 'node:child_process';
import type { AppLogger } from '../../../ports/logger.port.js';
import { describeError } from '../../../shared/describe-error.js';

export interface ReloadCommandOptions {
  /** CERT_RELOAD_COMMAND, run by /bin/sh (e.g. `nginx -s reload`). */
  command: string;
  /** Changes within this long of the first one are one batch: one run for all of them. */
  debounceMs: number;
  /** A failed run is tried again after this, doubling up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  timeoutMs?: number;
  logger: AppLogger;
  /** Each run's outcome, for the metrics. */
  onOutcome?: (outcome: 'succeeded' | 'failed', seconds: number) => void;
  /** How the command is run (tests); default: /bin/sh -c with the timeout. */
  run?: (command: string, timeoutMs: number) => Promise<void>;
}

function shell(command: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { timeout: timeoutMs }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const said = stderr.trim().split('\n').slice(-3).join(' | ');
      reject(new Error(`${error.message.split('\n')[0]}${said ? `: ${said}` : ''}`));
    });
  });
}

/**
 * Runs the TLS terminator's reload command once per batch of certificate changes: the first change
 * arms a timer, the changes until it fires ride along, and changes during a run make one more run
 * after it. A failed run is logged as an error, counted, and tried again with backoff until it succeeds
 * (the files are already in place; only the terminator has not read them yet).
 */
export class ReloadCommand {
  private timer?: NodeJS.Timeout;
  private running?: Promise<boolean>;
  private pending = 0;
  private failures = 0;

  constructor(private readonly options: ReloadCommandOptions) {}

  /** One more change for the next run. */
  changed(): void {
    this.pending++;
    if (!this.timer && !this.running) this.arm(this.options.debounceMs);
  }

  /** Whether a change waits for a run (or for a failed one's retry). */
  get waiting(): boolean {
    return this.pending > 0;
  }

  /** Before the process stops: a waiting batch is run now (once, without retries). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.pending > 0) await this.runOnce();
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.fire();
    }, ms);
    this.timer.unref();
  }

  private async fire(): Promise<void> {
    const ok = await this.runOnce();
    if (!ok) {
      this.failures++;
      const { retryBaseMs = 1000, retryMaxMs = 60_000 } = this.options;
      this.arm(Math.min(retryMaxMs, retryBaseMs * 2 ** (this.failures - 1)));
      return;
    }
    this.failures = 0;
    if (this.pending > 0) this.arm(this.options.debounceMs);
  }

  private async runOnce(): Promise<boolean> {
    const batch = this.pending;
    this.pending = 0;
    const { command, logger, timeoutMs = 30_000 } = this.options;
    const started = performance.now();
    this.running = (this.options.run ?? shell)(command, timeoutMs).then(
      () => true,
      (error: unknown) => {
        this.pending += batch;
        const attempt = this.failures + 1;
        logger.error(
          `certificate reload command failed (attempt ${attempt}, ${batch} change(s) waiting): ${describeError(error)}`,
        );
        return false;
      },
    );
    const ok = await this.running;
    this.running = undefined;
    const seconds = (performance.now() - started) / 1000;
    this.options.onOutcome?.(ok ? 'succeeded' : 'failed', seconds);
    if (ok) logger.log(`certificate reload command ran for ${batch} change(s) in ${Math.round(seconds * 1000)} ms`);
    return ok;
  }
}
