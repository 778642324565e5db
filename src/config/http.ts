import { listOf, type EnvReader } from './env-reader.js';

/** The HTTP API: where it listens, what it accepts, and from whom. */
export interface HttpSettings {
  port: number;
  host: string;
  bodyLimitBytes: number;
  /** Requests a minute from one client address, and POSTs a minute with one API key. */
  rateLimitPerMinute: number;
  postRateLimitPerMinute: number;
  /** SCS_CORS_ORIGINS: the browser origins allowed to call the API (`*`: any); empty: CORS off. */
  corsOrigins: string[];
  /** Express's `trust proxy` (e.g. `1`, `loopback`), so rate limits see clients behind a load balancer. */
  trustProxy?: string;
  /** GET /events/stream: heartbeat interval, and how long a client's socket may stay full before it is dropped. */
  eventStream: { heartbeatMs: number; stallMs: number };
}

export function parseHttp(read: EnvReader): HttpSettings {
  return {
    port: read.int('PORT', 8080, 0, 65535),
    host: read.env.HOST || '0.0.0.0',
    bodyLimitBytes: read.int('SCS_BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    rateLimitPerMinute: read.int('SCS_RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    trustProxy: read.optional('SCS_TRUST_PROXY'),
    corsOrigins: parseCorsOrigins(read),
    postRateLimitPerMinute: read.int('SCS_POST_RATE_LIMIT_PER_MINUTE', 120, 1, 1_000_000),
    eventStream: {
      heartbeatMs: read.int('SCS_EVENT_STREAM_HEARTBEAT_MS', 15_000, 100, 3_600_000),
      stallMs: read.int('SCS_EVENT_STREAM_STALL_MS', 10_000, 100, 600_000),
    },
  };
}

/** `https://console.example.org,http://localhost:5173` or `*`: each an origin (scheme, host, port), no path. */
function parseCorsOrigins(read: EnvReader): string[] {
  const origins = listOf(read.env.SCS_CORS_ORIGINS);
  for (const origin of origins) {
    if (origin !== '*' && !isOrigin(origin))
      read.problem(
        `SCS_CORS_ORIGINS: "${origin}" is not an origin such as https://console.example.org (no path or slash)`,
      );
  }
  return origins;
}

function isOrigin(text: string): boolean {
  try {
    const parsed = new URL(text);
    return ['http:', 'https:'].includes(parsed.protocol) && parsed.origin === text;
  } catch {
    return false;
  }
}
