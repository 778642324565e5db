import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { TransportResult, WebhookSecrets, WebhookTransport } from '../../../ports/webhooks.port.js';
import { describeError } from '../../../shared/describe-error.js';
import { checkedLookup, parseDestination, resolveDestination, type DestinationRules } from './destinations.js';

export interface TransportOptions extends DestinationRules {
  /** Connecting (DNS, TCP, TLS) must be done within this. */
  connectTimeoutMs: number;
  /** The whole attempt, answer included. */
  timeoutMs: number;
}

/** At most this much of an answer is read (and thrown away): only its status counts. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per secret, space-separated,
 * made by the `standardwebhooks` library (so receivers verify with the same code).
 */
export function signatureHeaders(id: string, now: Date, body: string, secrets: WebhookSecrets): Record<string, string> {
  const signatures = [secrets.current, ...(secrets.previous ? [secrets.previous] : [])].map((secret) =>
    new Webhook(secret).sign(id, now, body),
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

/** POSTs with node:http(s): addresses checked at connection time, no redirects followed, deadlines on both ends. */
export class HttpWebhookTransport implements WebhookTransport {
  /**
   * Connections kept between deliveries (a TLS handshake per delivery otherwise). An idle one is closed
   * after 4 s, before a Node receiver's default 5 s keep-alive ends it under a request in flight.
   */
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: 4000, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, timeout: 4000, maxSockets: 64 }),
  };

  constructor(private readonly options: TransportOptions) {}

  async checkDestination(url: string): Promise<void> {
    const parsed = parseDestination(url, this.options);
    await resolveDestination(parsed.hostname, this.options);
  }

  async send(
    url: string,
    message: { id: string; body: string; secrets: WebhookSecrets; now: Date },
  ): Promise<TransportResult> {
    const started = performance.now();
    const done = (httpStatus: number | null, error: string | null): TransportResult => ({
      httpStatus,
      error,
      latencyMs: Math.round(performance.now() - started),
    });
    try {
      const parsed = parseDestination(url, this.options);
      const host = parsed.hostname.replace(/^\[|\]$/g, '');
      // An address in the URL is never looked up, so it is checked here; a name is checked by the lookup.
      if (isIP(host)) await resolveDestination(host, this.options);
      const status = await this.post(parsed, message);
      return done(status, status >= 200 && status < 300 ? null : `HTTP ${status}`);
    } catch (error) {
      return done(null, describeError(error));
    }
  }

  private post(url: URL, message: { id: string; body: string; secrets: WebhookSecrets; now: Date }): Promise<number> {
    const { connectTimeoutMs, timeoutMs } = this.options;
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'scs-webhooks/1',
      ...signatureHeaders(message.id, message.now, message.body, message.secrets),
    };
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<number>((resolve, reject) => {
      const request = client.request(url, {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(message.body) },
        lookup: checkedLookup(this.options) as never,
        signal: AbortSignal.timeout(timeoutMs),
        agent: this.agents[url.protocol as 'http:' | 'https:'],
      });
      const connectTimer = setTimeout(
        () => request.destroy(new Error(`no connection within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      request.once('socket', (socket) => {
        const connected = () => clearTimeout(connectTimer);
        if (!socket.connecting) connected();
        else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
      });
      request.once('error', (error) => {
        clearTimeout(connectTimer);
        reject(error.name === 'AbortError' ? new Error(`no answer within ${timeoutMs} ms`) : error);
      });
      request.once('response', (response) => {
        clearTimeout(connectTimer);
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) response.destroy();
        });
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('close', () => resolve(response.statusCode ?? 0));
        response.once('error', () => resolve(response.statusCode ?? 0));
      });
      request.end(message.body);
    });
  }
}
