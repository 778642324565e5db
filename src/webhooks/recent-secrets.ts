import type { WebhookSecrets } from '../ports/webhooks.port.js';

const FRESH_MS = 1000;

/** An endpoint's secrets, read again when a second old (so a rotation signs within a second). */
export class RecentSecrets {
  private lastRead?: { secrets: WebhookSecrets; at: number };

  constructor(private readonly read: () => Promise<WebhookSecrets | undefined>) {}

  async get(): Promise<WebhookSecrets | undefined> {
    if (this.lastRead && Date.now() - this.lastRead.at < FRESH_MS) return this.lastRead.secrets;
    const secrets = await this.read();
    this.lastRead = secrets && { secrets, at: Date.now() };
    return secrets;
  }
}
