import type { EnvReader } from './env-reader.js';

export interface WebhookSettings {
  /** Webhook deliveries: destinations, deadlines and the retry window before an endpoint is disabled. */
  webhooks: {
    allowPrivate: boolean;
    allowHttp: boolean;
    connectTimeoutMs: number;
    timeoutMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    retryForSeconds: number;
  };
}

/** `allowHttp`: plain http:// endpoints are accepted outside production only. */
export function parseWebhooks(read: EnvReader, context: { production: boolean }): WebhookSettings {
  return {
    webhooks: {
      allowPrivate: read.flag('SCS_WEBHOOK_ALLOW_PRIVATE'),
      allowHttp: !context.production,
      connectTimeoutMs: read.int('SCS_WEBHOOK_CONNECT_TIMEOUT_MS', 3000, 100, 60_000),
      timeoutMs: read.int('SCS_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      retryBaseMs: read.int('SCS_WEBHOOK_RETRY_BASE_MS', 1000, 1, 3_600_000),
      retryMaxMs: read.int('SCS_WEBHOOK_RETRY_MAX_MS', 600_000, 1, 86_400_000),
      retryForSeconds: read.int('SCS_WEBHOOK_RETRY_FOR_S', 86_400, 1, 30 * 86_400),
    },
  };
}
