import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  event: any;
  /** The status this receiver answered. */
  status: number;
  /** Whether `standardwebhooks`' verify accepted it with the receiver's secret at that moment. */
  verified: boolean;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/**
 * A real HTTP receiver on loopback that verifies every delivery with the `standardwebhooks` library and
 * answers what `answer(id, attempt)` says (attempt: how many times this webhook-id arrived, this one included).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  secret?: string;
  answer: (id: string, attempt: number) => number = () => 200;
  /** Milliseconds to wait before answering. */
  delayMs = 0;
  /** TCP connections accepted (a sender keeping its connections makes one for many deliveries). */
  connections = 0;
  private server?: Server;

  /** `port`: the one it had before a stop (a receiver that was down comes back at the same URL). */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const id = String(req.headers['webhook-id']);
        const verified = this.verifies(body, req.headers);
        const attempt = this.received.filter((r) => r.id === id).length + 1;
        const status = this.answer(id, attempt);
        this.received.push({
          id,
          headers: req.headers,
          body,
          event: JSON.parse(body),
          status,
          verified,
          at: Date.now(),
        });
        setTimeout(() => res.writeHead(status).end(), this.delayMs);
      });
    });
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  private verifies(body: string, headers: IncomingHttpHeaders): boolean {
    if (!this.secret) return false;
    try {
      new Webhook(this.secret).verify(body, headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  }

  /** The first 2xx delivery of each event id, in the order they arrived. */
  delivered(): Received[] {
    const seen = new Set<string>();
    return this.received.filter((r) => r.status >= 200 && r.status < 300 && !seen.has(r.id) && seen.add(r.id));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(undefined));
  }
}
