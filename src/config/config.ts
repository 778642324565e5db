import { parseCredentialsDelivery, type CredentialsDeliveryConfig } from './credentials-delivery.js';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parseFaults, type Fault } from './faults.js';
import { Slug } from '../domain/school/slug.js';
import { DEFAULT_CREDENTIALS_KEY_ID } from '../domain/school/state.js';
import type { RetryPolicy } from '../application/process-manager/retry-policy.js';
import { isScope, SCOPES, splitScopes, type Scope } from '../infrastructure/http/scopes.js';
import { parseCertDelivery, type CertDeliveryConfig } from './cert-delivery.js';

/** Everything SCS reads from its environment, validated once; nothing else reads process.env. */
export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  /** Absent: run the embedded PostgreSQL server. */
  databaseUrl?: string;
  /** EVENTSTORE_CONNECTION_STRING: events in KurrentDB (EventStoreDB); absent: in the central PostgreSQL database. */
  eventStoreConnectionString?: string;
  dataDir: string;
  /**
   * SCS_API_KEY and SCS_API_KEYS (or SCS_API_KEYS_FILE) together; several keys at once allow rotation
   * without downtime. A key without `scopes` has every scope.
   */
  apiKeys: ConfiguredApiKey[];
  baseDomain: string;
  dnsTarget: string;
  /** SCHOOL_SUSPENDED_DNS_TARGET: what a suspended school's name points at (absent: left as it is). */
  suspendedDnsTarget?: string;
  dnsProvider: 'local' | 'powerdns' | 'route53';
  certProvider: 'local' | 'acme' | 'acm';
  mailProvider: 'outbox' | 'smtp' | 'ses';
  route53HostedZoneId?: string;
  /**
   * The key pair SCS hands every AWS client itself, when the secret key comes from a file
   * (AWS_SECRET_ACCESS_KEY_FILE, with AWS_ACCESS_KEY_ID); absent: the AWS SDK's default credential chain.
   */
  awsCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** The zone SCS writes school records in (default BASE_DOMAIN). */
  dnsZone: string;
  /**
   * SCS_OWNER_ID: the name this SCS instance marks its DNS records and school databases with, so that
   * instances sharing a zone or a server never touch each other's. Absent: the central database's name.
   */
  ownerId?: string;
  powerdns?: { apiUrl: string; apiKey: string; serverId: string };
  acme?: { directoryUrl: string; accountEmail: string; dnsResolver?: string; wildcard: boolean };
  /** CERT_DELIVERY: where school certificates go for TLS, and its settings. */
  certDelivery: CertDeliveryConfig;
  /** SCS_CREDENTIALS_DELIVERY: how school apps get their database connection, and its settings. */
  credentialsDelivery: CredentialsDeliveryConfig;
  smtpUrl?: string;
  mailFrom: string;
  faults: Map<string, Fault>;
  faultsSpec?: string;
  retry: RetryPolicy;
  concurrency: number;
  embeddedPostgresPort: number;
  bodyLimitBytes: number;
  /** Requests a minute from one client address, and POSTs a minute with one API key. */
  rateLimitPerMinute: number;
  postRateLimitPerMinute: number;
  /** SCS_CORS_ORIGINS: the browser origins allowed to call the API (`*`: any); empty: CORS off. */
  corsOrigins: string[];
  /** Express's `trust proxy` (e.g. `1`, `loopback`), so rate limits see clients behind a load balancer. */
  trustProxy?: string;
  /** How often the service compares resources with the events and logs what it finds (0: never). */
  reconcileIntervalSeconds: number;
  /** How often certificates are checked for renewal, and the local CA's certificate lifetime. */
  renewalCheckSeconds: number;
  localCertificateValiditySeconds: number;
  /** SCS_RESERVED_SLUGS: slugs no school may take, besides the domain's built-in ones. */
  reservedSlugs: string[];
  /** The fleet report lists schools in a non-terminal status for longer than this as stuck. */
  stuckAfterSeconds: number;
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
  /** GET /events/stream: heartbeat interval, and how long a client's socket may stay full before it is dropped. */
  eventStream: { heartbeatMs: number; stallMs: number };
  /** Final archives of dropped school databases, kept this many days (0: forever). */
  archiveDir: string;
  archiveRetentionDays: number;
  /** SCS_SPARE_DATABASES: template clones each tenant server keeps ready for the next schools (0: none). */
  spareDatabases: number;
  /** SCS_SCHOOL_MIGRATIONS_DIR: a drizzle-kit migrations folder (absent: the shipped school-schema/migrations). */
  schoolMigrationsDir?: string;
  /**
   * Deadlines of every PostgreSQL connection (SCS_DB_*_TIMEOUT_MS): opening one (or waiting for a free one
   * in a central pool), a statement on the central database (the server's statement_timeout), and how long
   * SCS waits for any answer before it closes the connection: a server that answers nothing (stopped, or
   * behind a partition) then costs a request 503 after that, not the length of the outage.
   */
  database: DatabaseDeadlines;
  /** Schema rollouts: schools migrated at once, per-migration limits, and whether start-up rolls out. */
  schemaRollout: { concurrency: number; lockTimeoutMs: number; statementTimeoutMs: number; autoMigrate: boolean };
  /**
   * SCS_CREDENTIALS_KEYS (or SCS_CREDENTIALS_KEY as the key `default`): 32-byte keys with ids, the first
   * one active; empty in development: generated.
   */
  credentialsKeys: CredentialsKey[];
  /** pino's level; JSON lines except in development, where they are pretty-printed. */
  logLevel: string;
  /** SCS_METRICS_PORT: /metrics on a port of its own instead of the API's. */
  metricsPort?: number;
  /**
   * OpenTelemetry traces, on when an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or an exporter (OTEL_TRACES_EXPORTER) is named, unless
   * OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none. The SDK reads the rest of its OTEL_* variables itself.
   */
  tracing?: { serviceName: string };
  /**
   * SCS_TENANT_SERVERS=name=url,…: the PostgreSQL servers school databases are placed on, in order.
   * Absent: the central server alone, under the name `central`.
   */
  tenantServers?: TenantServerConfig[];
}

export interface ConfiguredApiKey {
  id?: string;
  secret: string;
  /** What the key may do; absent: everything (SCS_API_KEY, and `id:secret` entries). */
  scopes?: Scope[];
}

export interface DatabaseDeadlines {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  queryTimeoutMs: number;
  /** A statement on a tenant server's maintenance database (a clone, a drop that waits for a checkpoint). */
  tenantQueryTimeoutMs: number;
}

export interface TenantServerConfig {
  name: string;
  /** A postgres:// URL of a login that may create databases and roles (its path is ignored). */
  url: string;
}

export interface CredentialsKey {
  id: string;
  key: Buffer;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `SCS cannot start: the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const OWNER_ID = /^[A-Za-z0-9_.-]{1,63}$/;

/**
 * The variables that hold secrets, each of which may instead name a file holding it (`<name>_FILE`, e.g. a
 * Docker or Kubernetes secret mounted as a file): read when `<name>` is unset or empty, a trailing newline
 * dropped; both set is a configuration problem.
 */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'EVENTSTORE_CONNECTION_STRING',
  'SCS_API_KEY',
  'SCS_API_KEYS',
  'SCS_CREDENTIALS_KEY',
  'SCS_CREDENTIALS_KEYS',
  'SCS_TENANT_SERVERS',
  'POWERDNS_API_KEY',
  'SMTP_URL',
  'AWS_SECRET_ACCESS_KEY',
] as const;

/** `env` with each secret read from its `_FILE` where that is set; `fromFile` gets the names read so. */
function withSecretFiles(env: NodeJS.ProcessEnv, problems: string[], fromFile: Set<string>): NodeJS.ProcessEnv {
  const values = new Map<string, string | undefined>();
  for (const name of SECRET_VARIABLES) {
    const file = env[`${name}_FILE`] || undefined;
    if (!file) continue;
    fromFile.add(name);
    if (env[name]) {
      problems.push(`set ${name} or ${name}_FILE, not both`);
      values.set(name, undefined);
      continue;
    }
    try {
      values.set(name, readFileSync(file, 'utf8').replace(/\r?\n$/, ''));
    } catch (error) {
      // The message names the file, never its contents.
      problems.push(`${name}_FILE=${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      values.set(name, undefined);
    }
  }
  if (values.size === 0) return env;
  // A view, not a copy: every other read still goes to `env` itself.
  return new Proxy(env, {
    get: (target, name) => (typeof name === 'string' && values.has(name) ? values.get(name) : target[name as string]),
  });
}

export function loadConfig(rawEnv: NodeJS.ProcessEnv, defaults: { dataDir: string }): Config {
  const problems: string[] = [];
  const fromFile = new Set<string>();
  const env = withSecretFiles(rawEnv, problems, fromFile);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}=${raw} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], later: Record<string, string> = {}): T => {
    const raw = env[name] || allowed[0];
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    if (later[raw])
      problems.push(`${name}=${raw} is not available in this version (${later[raw]}); use ${allowed.join(' or ')}`);
    else problems.push(`${name}=${raw} must be one of: ${allowed.join(', ')}`);
    return allowed[0];
  };

  const nodeEnv = env.NODE_ENV || 'development';
  if (!['development', 'test', 'production'].includes(nodeEnv))
    problems.push(`NODE_ENV=${nodeEnv} must be development, test or production`);
  const production = nodeEnv === 'production';

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl) {
    try {
      const url = new URL(databaseUrl);
      if (!['postgres:', 'postgresql:'].includes(url.protocol)) problems.push('DATABASE_URL must be a postgres:// URL');
    } catch {
      problems.push('DATABASE_URL is not a valid URL (postgres://user:password@host:5432/database)');
    }
  } else if (production) {
    problems.push('DATABASE_URL is required in production (the embedded PostgreSQL is for development)');
  }

  const apiKeys: Config['apiKeys'] = [];
  if (env.SCS_API_KEY) {
    if (env.SCS_API_KEY.length < 16) problems.push('SCS_API_KEY must be at least 16 characters');
    else apiKeys.push({ secret: env.SCS_API_KEY });
  }
  for (const key of parseApiKeys(env, problems, fromFile.has('SCS_API_KEYS'))) {
    if (apiKeys.some((k) => k.id === key.id)) problems.push(`SCS_API_KEYS: key id "${key.id}" appears twice`);
    else apiKeys.push(key);
  }
  const credentialsKeys = parseCredentialsKeys(env, problems);
  if (credentialsKeys.length === 0 && production) {
    problems.push(
      'SCS_CREDENTIALS_KEY (or SCS_CREDENTIALS_KEYS) is required in production: 32 random bytes as hex ' +
        '(`openssl rand -hex 32`); it derives and encrypts the school database passwords',
    );
  }
  if (apiKeys.length === 0 && production)
    problems.push(
      'SCS_API_KEY (or SCS_API_KEYS) is required in production: set it to a long random secret (e.g. `openssl rand -hex 32`)',
    );

  const baseDomain = (env.BASE_DOMAIN || 'syncad.in').toLowerCase().replace(/\.$/, '');
  if (!baseDomain.split('.').every((label) => DNS_LABEL.test(label)) || !baseDomain.includes('.')) {
    problems.push(`BASE_DOMAIN=${env.BASE_DOMAIN} must be a domain name such as syncad.in`);
  }
  const ownerId = env.SCS_OWNER_ID || undefined;
  if (ownerId !== undefined && !OWNER_ID.test(ownerId))
    problems.push(
      `SCS_OWNER_ID=${ownerId} must be 1 to 63 characters of a-z, A-Z, 0-9, _, . and - (it is written into DNS TXT records)`,
    );
  const dnsTarget = env.SCHOOL_DNS_TARGET || '127.0.0.1';
  if (!isIP(dnsTarget) && !dnsTarget.split('.').every((label) => DNS_LABEL.test(label))) {
    problems.push(`SCHOOL_DNS_TARGET=${dnsTarget} must be an IP address (A record) or a host name (CNAME)`);
  }
  const suspendedDnsTarget = env.SCHOOL_SUSPENDED_DNS_TARGET || undefined;
  if (suspendedDnsTarget !== undefined) {
    const isHost = (target: string) => target.split('.').every((label) => DNS_LABEL.test(label));
    if (!isIP(suspendedDnsTarget) && !isHost(suspendedDnsTarget)) {
      problems.push(
        `SCHOOL_SUSPENDED_DNS_TARGET=${suspendedDnsTarget} must be an IP address (A record) or a host name (CNAME)`,
      );
    } else if (!isIP(suspendedDnsTarget) !== !isIP(dnsTarget)) {
      // A record's type is not changed in place: a CNAME may have no neighbour, so one would go first.
      problems.push(
        `SCHOOL_SUSPENDED_DNS_TARGET=${suspendedDnsTarget} must be of SCHOOL_DNS_TARGET's kind: ` +
          `both IP addresses (A records) or both host names (CNAME)`,
      );
    }
  }

  const eventStoreConnectionString = env.EVENTSTORE_CONNECTION_STRING || undefined;
  if (
    eventStoreConnectionString &&
    !/^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\/[^/?]+/.test(eventStoreConnectionString)
  ) {
    problems.push(
      'EVENTSTORE_CONNECTION_STRING must be a KurrentDB (EventStoreDB) connection string such as kurrentdb://eventstore:2113?tls=false or esdb://eventstore:2113?tls=false (kurrentdb+discover://… or esdb+discover://… for a cluster)',
    );
  }
  const dnsProvider = oneOf('DNS_PROVIDER', ['local', 'powerdns', 'route53'] as const);
  const certProvider = oneOf('CERT_PROVIDER', ['local', 'acme', 'acm'] as const);
  const mailProvider = oneOf('MAIL_PROVIDER', ['outbox', 'smtp', 'ses'] as const);
  const required = (name: string, why: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is required ${why}`);
    return value ?? '';
  };
  const url = (name: string, value: string, protocols: string[]) => {
    if (!value) return;
    try {
      if (!protocols.includes(new URL(value).protocol))
        problems.push(`${name} must be a ${protocols.join(' or ')} URL`);
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
  };
  let powerdns: Config['powerdns'];
  if (dnsProvider === 'powerdns') {
    powerdns = {
      apiUrl: required('POWERDNS_API_URL', 'with DNS_PROVIDER=powerdns (e.g. http://127.0.0.1:8081)'),
      apiKey: required('POWERDNS_API_KEY', 'with DNS_PROVIDER=powerdns'),
      serverId: env.POWERDNS_SERVER_ID || 'localhost',
    };
    url('POWERDNS_API_URL', powerdns.apiUrl, ['http:', 'https:']);
  }
  let acme: Config['acme'];
  if (certProvider === 'acme') {
    const dnsResolver = env.ACME_DNS_RESOLVER || undefined;
    if (dnsResolver && !/^[^:\s]+:\d{1,5}$/.test(dnsResolver))
      problems.push("ACME_DNS_RESOLVER must be host:port of the zone's authoritative server (e.g. 127.0.0.1:53)");
    if (dnsProvider === 'local')
      problems.push(
        'CERT_PROVIDER=acme needs a real DNS provider for DNS-01 (DNS_PROVIDER=powerdns): the local zone is not served to the CA',
      );
    acme = {
      directoryUrl: env.ACME_DIRECTORY_URL || 'https://acme-v02.api.letsencrypt.org/directory',
      accountEmail: required('ACME_ACCOUNT_EMAIL', 'with CERT_PROVIDER=acme (the ACME account contact)'),
      dnsResolver,
      wildcard: ['1', 'true', 'yes'].includes((env.CERT_WILDCARD ?? '').toLowerCase()),
    };
    url('ACME_DIRECTORY_URL', acme.directoryUrl, ['https:', 'http:']);
  }
  let route53HostedZoneId: string | undefined;
  if (dnsProvider === 'route53') route53HostedZoneId = required('ROUTE53_HOSTED_ZONE_ID', 'with DNS_PROVIDER=route53');
  if (certProvider === 'acm' && dnsProvider === 'local')
    problems.push(
      'CERT_PROVIDER=acm needs a real DNS provider for its validation records (DNS_PROVIDER=route53 or powerdns)',
    );
  if (mailProvider === 'ses' && !env.SES_FROM_EMAIL)
    problems.push('SES_FROM_EMAIL is required with MAIL_PROVIDER=ses (a verified sender identity)');
  let awsCredentials: Config['awsCredentials'];
  if (fromFile.has('AWS_SECRET_ACCESS_KEY') && env.AWS_SECRET_ACCESS_KEY) {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    if (!accessKeyId) problems.push('AWS_ACCESS_KEY_ID is required with AWS_SECRET_ACCESS_KEY_FILE (its key pair)');
    else awsCredentials = { accessKeyId, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  }
  let smtpUrl: string | undefined;
  if (mailProvider === 'smtp') {
    smtpUrl = required('SMTP_URL', 'with MAIL_PROVIDER=smtp (e.g. smtp://user:pass@host:587)');
    url('SMTP_URL', smtpUrl, ['smtp:', 'smtps:']);
  }

  let faults = new Map<string, Fault>();
  const faultsSpec = env.SCS_FAULTS || undefined;
  if (faultsSpec) {
    if (production) problems.push('SCS_FAULTS is for tests and is refused when NODE_ENV=production');
    try {
      faults = parseFaults(faultsSpec);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }

  let schoolMigrationsDir: string | undefined;
  if (env.SCS_SCHOOL_MIGRATIONS_DIR) {
    schoolMigrationsDir = resolve(env.SCS_SCHOOL_MIGRATIONS_DIR);
    if (!existsSync(join(schoolMigrationsDir, 'meta', '_journal.json'))) {
      const raw = env.SCS_SCHOOL_MIGRATIONS_DIR;
      problems.push(`SCS_SCHOOL_MIGRATIONS_DIR=${raw} is not a drizzle-kit migrations folder (no meta/_journal.json)`);
    }
  }
  const allowPrivateRaw = (env.SCS_WEBHOOK_ALLOW_PRIVATE ?? '').toLowerCase();
  if (!['', 'true', 'false', '1', '0'].includes(allowPrivateRaw))
    problems.push(`SCS_WEBHOOK_ALLOW_PRIVATE=${env.SCS_WEBHOOK_ALLOW_PRIVATE} must be true or false`);
  const autoMigrateRaw = (env.SCS_AUTO_MIGRATE_SCHOOLS ?? '').toLowerCase();
  if (!['', 'true', 'false', '1', '0'].includes(autoMigrateRaw)) {
    problems.push(`SCS_AUTO_MIGRATE_SCHOOLS=${env.SCS_AUTO_MIGRATE_SCHOOLS} must be true or false`);
  }

  const config: Config = {
    env: nodeEnv as Config['env'],
    port: int('PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    eventStoreConnectionString,
    dataDir: env.SCS_DATA_DIR || defaults.dataDir,
    apiKeys,
    baseDomain,
    dnsTarget,
    suspendedDnsTarget,
    dnsProvider,
    certProvider,
    mailProvider,
    dnsZone: (env.DNS_ZONE || baseDomain).toLowerCase().replace(/\.$/, ''),
    ownerId,
    powerdns,
    route53HostedZoneId,
    ...(awsCredentials ? { awsCredentials } : {}),
    acme,
    certDelivery: parseCertDelivery(env, { dataDir: env.SCS_DATA_DIR || defaults.dataDir, certProvider, problems }),
    credentialsDelivery: parseCredentialsDelivery(env, { dataDir: env.SCS_DATA_DIR || defaults.dataDir, problems }),
    smtpUrl,
    mailFrom: env.SES_FROM_EMAIL || `no-reply@${baseDomain}`,
    faults,
    faultsSpec,
    retry: {
      maxAttempts: int('SCS_RETRY_MAX_ATTEMPTS', 5, 1, 100),
      baseDelayMs: int('SCS_RETRY_BASE_MS', 500, 1, 600_000),
      maxDelayMs: int('SCS_RETRY_MAX_MS', 30_000, 1, 3_600_000),
    },
    concurrency: int('SCS_CONCURRENCY', 8, 1, 256),
    embeddedPostgresPort: int('SCS_EMBEDDED_PG_PORT', 54329, 1, 65535),
    bodyLimitBytes: int('SCS_BODY_LIMIT_BYTES', 64 * 1024, 1024, 10 * 1024 * 1024),
    rateLimitPerMinute: int('SCS_RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    trustProxy: env.SCS_TRUST_PROXY || undefined,
    corsOrigins: parseCorsOrigins(env.SCS_CORS_ORIGINS, problems),
    postRateLimitPerMinute: int('SCS_POST_RATE_LIMIT_PER_MINUTE', 120, 1, 1_000_000),
    renewalCheckSeconds: int('SCS_RENEWAL_CHECK_S', 3600, 0, 86_400),
    localCertificateValiditySeconds: int('SCS_LOCAL_CERT_VALIDITY_S', 90 * 86_400, 5, 825 * 86_400),
    reconcileIntervalSeconds: int('SCS_RECONCILE_INTERVAL_S', 900, 0, 86_400),
    stuckAfterSeconds: int('SCS_STUCK_AFTER_S', 600, 1, 30 * 86_400),
    webhooks: {
      allowPrivate: ['true', '1'].includes(allowPrivateRaw),
      allowHttp: !production,
      connectTimeoutMs: int('SCS_WEBHOOK_CONNECT_TIMEOUT_MS', 3000, 100, 60_000),
      timeoutMs: int('SCS_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      retryBaseMs: int('SCS_WEBHOOK_RETRY_BASE_MS', 1000, 1, 3_600_000),
      retryMaxMs: int('SCS_WEBHOOK_RETRY_MAX_MS', 600_000, 1, 86_400_000),
      retryForSeconds: int('SCS_WEBHOOK_RETRY_FOR_S', 86_400, 1, 30 * 86_400),
    },
    eventStream: {
      heartbeatMs: int('SCS_EVENT_STREAM_HEARTBEAT_MS', 15_000, 100, 3_600_000),
      stallMs: int('SCS_EVENT_STREAM_STALL_MS', 10_000, 100, 600_000),
    },
    reservedSlugs: parseReservedSlugs(env.SCS_RESERVED_SLUGS ?? '', problems),
    archiveDir: env.SCS_ARCHIVE_DIR || `${env.SCS_DATA_DIR || defaults.dataDir}/archives`,
    archiveRetentionDays: int('SCS_ARCHIVE_RETENTION_DAYS', 30, 0, 36_500),
    credentialsKeys,
    logLevel: 'info',
    schoolMigrationsDir,
    spareDatabases: int('SCS_SPARE_DATABASES', 2, 0, 64),
    database: {
      connectTimeoutMs: int('SCS_DB_CONNECT_TIMEOUT_MS', 2000, 100, 600_000),
      statementTimeoutMs: int('SCS_DB_STATEMENT_TIMEOUT_MS', 2000, 100, 3_600_000),
      queryTimeoutMs: int('SCS_DB_QUERY_TIMEOUT_MS', 2500, 100, 3_600_000),
      tenantQueryTimeoutMs: int('SCS_DB_TENANT_QUERY_TIMEOUT_MS', 60_000, 100, 3_600_000),
    },
    schemaRollout: {
      concurrency: int('SCS_MIGRATION_CONCURRENCY', 4, 1, 64),
      lockTimeoutMs: int('SCS_MIGRATION_LOCK_TIMEOUT_MS', 5000, 1, 3_600_000),
      statementTimeoutMs: int('SCS_MIGRATION_STATEMENT_TIMEOUT_MS', 600_000, 1, 86_400_000),
      autoMigrate: ['true', '1'].includes(autoMigrateRaw),
    },
  };
  if (config.database.queryTimeoutMs < config.database.statementTimeoutMs)
    problems.push(
      `SCS_DB_QUERY_TIMEOUT_MS=${config.database.queryTimeoutMs} must not be below SCS_DB_STATEMENT_TIMEOUT_MS=` +
        `${config.database.statementTimeoutMs}: a slow statement should end with the server's own error first`,
    );
  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL=${env.LOG_LEVEL} must be one of: ${LOG_LEVELS.join(', ')}`);
  }
  config.logLevel = logLevel;
  if (env.SCS_METRICS_PORT) config.metricsPort = int('SCS_METRICS_PORT', 0, 0, 65535);
  config.tracing = tracingOf(env);
  if (env.SCS_TENANT_SERVERS) config.tenantServers = parseTenantServers(env.SCS_TENANT_SERVERS, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * `SCS_API_KEYS=id:secret[:scope+scope],…`, or the same in the file SCS_API_KEYS_FILE (entries separated
 * by commas or lines; blank lines and `#` lines skipped), so that the secrets need not sit in the environment.
 * The file is read with every other secret's (withSecretFiles).
 */
function parseApiKeys(env: NodeJS.ProcessEnv, problems: string[], fromFile: boolean): ConfiguredApiKey[] {
  const raw = env.SCS_API_KEYS ?? '';
  const source = fromFile ? 'SCS_API_KEYS_FILE' : 'SCS_API_KEYS';
  const keys: ConfiguredApiKey[] = [];
  for (const entry of raw
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e && !e.startsWith('#'))) {
    const at = entry.indexOf(':');
    const id = entry.slice(0, at);
    const { secret, scopes } = splitScopes(entry.slice(at + 1));
    // The messages never repeat a secret: configuration errors end up in logs.
    if (at < 1 || !KEY_ID.test(id)) {
      problems.push(
        `${source} entries must be id:secret or id:secret:scope+scope, with an id of a-z, 0-9, - and _ (up to 32 characters)`,
      );
      continue;
    }
    if (secret.length < 16) problems.push(`${source}: the secret of key "${id}" must be at least 16 characters`);
    // Named by position, not by value: a secret that holds `:` may be what was misread as scopes.
    const unknown = (scopes ?? []).flatMap((scope, i) => (isScope(scope) ? [] : [i + 1]));
    if (unknown.length > 0)
      problems.push(
        `${source}: key "${id}": scope ${unknown.join(', ')} of ${scopes!.length} after its secret is not one of ${SCOPES_TEXT}`,
      );
    if (secret.length >= 16 && unknown.length === 0)
      keys.push({ id, secret, ...(scopes ? { scopes: scopes as Scope[] } : {}) });
  }
  return keys;
}

function tracingOf(env: NodeJS.ProcessEnv): Config['tracing'] {
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').toLowerCase();
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const serviceName = env.OTEL_SERVICE_NAME || 'scs';
  const off = (env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true' || exporters.split(',').includes('none');
  return off || (!endpoint && !exporters) ? undefined : { serviceName };
}

/** `SCS_RESERVED_SLUGS=a,b`: each must have a slug's shape (a built-in reserved name is allowed, as a no-op). */
function parseReservedSlugs(raw: string, problems: string[]): string[] {
  const slugs = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const slug of slugs) {
    const parsed = Slug.parse(slug);
    if (!parsed.ok && parsed.error !== 'reserved') problems.push(`SCS_RESERVED_SLUGS: "${slug}" ${parsed.message}`);
  }
  return slugs;
}

const KEY_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const SCOPES_TEXT = SCOPES.join(', ');
const SERVER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** `SCS_TENANT_SERVERS=name=url,name=url`; messages name a server, never its URL (it may hold a password). */
function parseTenantServers(raw: string, problems: string[]): TenantServerConfig[] {
  const servers: TenantServerConfig[] = [];
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const name = at > 0 ? entry.slice(0, at) : '';
    const url = entry.slice(at + 1);
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      /* reported below */
    }
    if (!SERVER_NAME.test(name)) {
      problems.push('SCS_TENANT_SERVERS entries must be name=postgres://…, the name of a-z, 0-9, - and _ (up to 32)');
    } else if (!['postgres:', 'postgresql:'].includes(protocol)) {
      problems.push(`SCS_TENANT_SERVERS: server "${name}" needs a postgres:// URL`);
    } else if (servers.some((s) => s.name === name)) {
      problems.push(`SCS_TENANT_SERVERS: server "${name}" appears twice`);
    } else {
      servers.push({ name, url });
    }
  }
  if (servers.length === 0 && problems.length === 0) problems.push('SCS_TENANT_SERVERS lists no server');
  return servers;
}

/** `SCS_CREDENTIALS_KEYS=id:key,id:key` (the first active) or `SCS_CREDENTIALS_KEY=key` (id `default`). */
function parseCredentialsKeys(env: NodeJS.ProcessEnv, problems: string[]): CredentialsKey[] {
  const single = env.SCS_CREDENTIALS_KEY;
  const listed = (env.SCS_CREDENTIALS_KEYS ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (single && listed.length > 0) {
    const id = DEFAULT_CREDENTIALS_KEY_ID;
    problems.push(
      `set SCS_CREDENTIALS_KEYS or SCS_CREDENTIALS_KEY, not both (SCS_CREDENTIALS_KEY is the key "${id}": ` +
        `list it as ${id}:<key>)`,
    );
    return [];
  }
  const entries = single
    ? [{ id: DEFAULT_CREDENTIALS_KEY_ID, raw: single, name: 'SCS_CREDENTIALS_KEY' }]
    : listed.map((entry) => {
        const id = entry.slice(0, Math.max(entry.indexOf(':'), 0));
        return { id, raw: entry.slice(entry.indexOf(':') + 1), name: `SCS_CREDENTIALS_KEYS key "${id}"` };
      });
  const keys: CredentialsKey[] = [];
  for (const { id, raw, name } of entries) {
    // The messages never repeat a key: configuration errors end up in logs.
    const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    if (!KEY_ID.test(id)) {
      problems.push('SCS_CREDENTIALS_KEYS entries must be id:key, the id of a-z, 0-9, - and _ (up to 32 characters)');
    } else if (key.length !== 32) {
      problems.push(`${name} must be 32 bytes, as 64 hex digits or base64 (e.g. \`openssl rand -hex 32\`)`);
    } else if (keys.some((k) => k.id === id)) {
      problems.push(`SCS_CREDENTIALS_KEYS: key id "${id}" appears twice`);
    } else if (keys.some((k) => k.key.equals(key))) {
      problems.push(`SCS_CREDENTIALS_KEYS: key "${id}" is the same key as another id`);
    } else {
      keys.push({ id, key });
    }
  }
  return keys;
}

/** `https://console.example.org,http://localhost:5173` or `*`: each an origin (scheme, host, port), no path. */
function parseCorsOrigins(raw: string | undefined, problems: string[]): string[] {
  const origins = (raw ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin)
      problems.push(
        `SCS_CORS_ORIGINS: "${origin}" is not an origin such as https://console.example.org (no path or slash)`,
      );
  }
  return origins;
}
