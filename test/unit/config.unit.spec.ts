import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { createCredentialsDelivery } from '../../src/composition/providers.js';

const load = (env: Record<string, string>) => loadConfig(env, { dataDir: '/tmp/scs-config-test' });
/** The problems a configuration has (none: it loads). */
const problems = (env: Record<string, string>) => {
  try {
    load(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('configuration', () => {
  it('has working defaults for the embedded default', () => {
    const config = load({});
    expect(config).toMatchObject({
      env: 'development',
      port: 8080,
      databaseUrl: undefined,
      baseDomain: 'syncad.in',
      dnsProvider: 'local',
      certProvider: 'local',
      mailProvider: 'outbox',
      apiKeys: [],
    });
  });

  it('delivers certificates nowhere by default, and refuses deliveries the certificate provider cannot feed', () => {
    expect(load({}).certDelivery).toEqual({ mode: 'none', dir: '/tmp/scs-config-test/tls', reloadDebounceMs: 2000 });
    const files = load({
      CERT_DELIVERY: 'files',
      CERT_DELIVERY_DIR: '/srv/tls',
      CERT_DELIVERY_OWNER: '33:33',
      CERT_RELOAD_COMMAND: 'nginx -s reload',
      CERT_RELOAD_DEBOUNCE_MS: '500',
    }).certDelivery;
    expect(files).toEqual({
      mode: 'files',
      dir: '/srv/tls',
      fileOwner: { uid: 33, gid: 33 },
      reloadCommand: 'nginx -s reload',
      reloadDebounceMs: 500,
    });
    const acm = { CERT_PROVIDER: 'acm', DNS_PROVIDER: 'route53', ROUTE53_HOSTED_ZONE_ID: 'Z1' };
    const listener =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/schools/50dc6c495c0c9188/f2f7dc8efc522ab2';
    expect(load({ ...acm, CERT_DELIVERY: 'alb', CERT_ALB_LISTENER_ARN: listener }).certDelivery).toMatchObject({
      mode: 'alb',
      albListenerArn: listener,
    });
    expect(problems({ ...acm, CERT_DELIVERY: 'files' })).toEqual([expect.stringMatching(/ACM never exports/)]);
    expect(problems({ CERT_DELIVERY: 'alb', CERT_ALB_LISTENER_ARN: listener })).toEqual([
      expect.stringMatching(/needs CERT_PROVIDER=acm, not local/),
    ]);
    expect(problems({ ...acm, CERT_DELIVERY: 'alb' })).toEqual([
      expect.stringMatching(/CERT_ALB_LISTENER_ARN is required/),
    ]);
    expect(problems({ ...acm, CERT_DELIVERY: 'alb', CERT_ALB_LISTENER_ARN: 'listener-1' })).toEqual([
      expect.stringMatching(/must be an Application Load Balancer listener ARN/),
    ]);
    expect(
      problems({
        CERT_DELIVERY: 'disk',
        CERT_DELIVERY_DIR: 'tls',
        CERT_DELIVERY_OWNER: 'www-data',
        CERT_RELOAD_COMMAND: 'x',
      }),
    ).toEqual([
      expect.stringMatching(/CERT_DELIVERY=disk must be one of: none, files, alb/),
      expect.stringMatching(/CERT_DELIVERY_DIR=tls must be an absolute path/),
      expect.stringMatching(/CERT_DELIVERY_OWNER=www-data must be uid:gid/),
      expect.stringMatching(/CERT_RELOAD_COMMAND is run only with CERT_DELIVERY=files/),
    ]);
  });

  it('reads SCS_CREDENTIALS_DELIVERY: api by default, files into SCS_CREDENTIALS_DIR, secrets under a prefix', () => {
    const defaults = { secretPrefix: 'scs/schools', recoveryWindowDays: 7 };
    expect(load({}).credentialsDelivery).toEqual({ mode: 'api', dir: '/tmp/scs-config-test/credentials', ...defaults });
    expect(load({ SCS_CREDENTIALS_DELIVERY: 'files', SCS_CREDENTIALS_DIR: '/srv/creds' }).credentialsDelivery).toEqual({
      mode: 'files',
      dir: '/srv/creds',
      ...defaults,
    });
    const aws = {
      SCS_CREDENTIALS_DELIVERY: 'aws-secrets-manager',
      SCS_CREDENTIALS_SECRET_PREFIX: 'prod/scs/',
      SCS_CREDENTIALS_RECOVERY_DAYS: '30',
    };
    expect(load(aws).credentialsDelivery).toMatchObject({
      mode: 'aws-secrets-manager',
      secretPrefix: 'prod/scs',
      recoveryWindowDays: 30,
    });
    expect(
      problems({
        SCS_CREDENTIALS_DELIVERY: 'vault',
        SCS_CREDENTIALS_DIR: 'creds',
        SCS_CREDENTIALS_SECRET_PREFIX: 'a b',
        SCS_CREDENTIALS_RECOVERY_DAYS: '3',
      }),
    ).toEqual([
      expect.stringMatching(/SCS_CREDENTIALS_DELIVERY=vault must be one of: api, files, aws-secrets-manager/),
      expect.stringMatching(/SCS_CREDENTIALS_DIR=creds must be an absolute path/),
      expect.stringMatching(/SCS_CREDENTIALS_SECRET_PREFIX=a b may hold only/),
      expect.stringMatching(/SCS_CREDENTIALS_RECOVERY_DAYS=3 must be a whole number, 7 to 30/),
    ]);
  });

  it('names every problem at once', () => {
    let error: ConfigError | undefined;
    try {
      load({
        NODE_ENV: 'production',
        PORT: 'eighty',
        BASE_DOMAIN: 'not a domain',
        DNS_PROVIDER: 'bind',
        SCS_FAULTS: 'create_dns:fail',
        SCS_RETRY_MAX_ATTEMPTS: '0',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.problems.join('\n');
    for (const name of [
      'DATABASE_URL',
      'SCS_API_KEY',
      'PORT',
      'BASE_DOMAIN',
      'DNS_PROVIDER',
      'SCS_FAULTS',
      'SCS_RETRY_MAX_ATTEMPTS',
    ])
      expect(text).toContain(name);
  });

  it('reads SCS_TENANT_SERVERS and names bad entries without repeating a URL', () => {
    expect(load({}).tenantServers).toBeUndefined();
    const env = { SCS_TENANT_SERVERS: 'pg-a=postgres://scs:pw@a:5432/postgres, pg-b=postgresql://b/x' };
    expect(load(env).tenantServers).toEqual([
      { name: 'pg-a', url: 'postgres://scs:pw@a:5432/postgres' },
      { name: 'pg-b', url: 'postgresql://b/x' },
    ]);
    let error: ConfigError | undefined;
    try {
      load({ SCS_TENANT_SERVERS: 'A B=postgres://x,b=http://secret@host,c=postgres://y,c=postgres://z' });
    } catch (e) {
      error = e as ConfigError;
    }
    const text = error!.problems.join('\n');
    expect(text).toContain('SCS_TENANT_SERVERS entries must be name=');
    expect(text).toContain('server "b" needs a postgres:// URL');
    expect(text).toContain('server "c" appears twice');
    expect(text).not.toContain('secret');
  });

  it('reads the schema rollout settings and names bad ones', () => {
    const drizzleFolder = join(process.cwd(), 'school-schema', 'migrations');
    expect(load({}).schemaRollout).toEqual({
      concurrency: 4,
      lockTimeoutMs: 5000,
      statementTimeoutMs: 600_000,
      autoMigrate: false,
    });
    const env = {
      SCS_AUTO_MIGRATE_SCHOOLS: 'true',
      SCS_MIGRATION_CONCURRENCY: '16',
      SCS_SCHOOL_MIGRATIONS_DIR: drizzleFolder,
    };
    const expected = { schemaRollout: { concurrency: 16, autoMigrate: true }, schoolMigrationsDir: drizzleFolder };
    expect(load(env)).toMatchObject(expected);
    let error: ConfigError | undefined;
    try {
      load({ SCS_AUTO_MIGRATE_SCHOOLS: 'sure', SCS_MIGRATION_CONCURRENCY: '0', SCS_SCHOOL_MIGRATIONS_DIR: '/tmp' });
    } catch (e) {
      error = e as ConfigError;
    }
    const text = error!.problems.join('\n');
    for (const name of ['SCS_AUTO_MIGRATE_SCHOOLS', 'SCS_MIGRATION_CONCURRENCY', 'SCS_SCHOOL_MIGRATIONS_DIR']) {
      expect(text).toContain(name);
    }
  });

  it('reads the database deadlines and refuses a query timeout below the statement timeout', () => {
    expect(load({}).database).toEqual({
      connectTimeoutMs: 2000,
      statementTimeoutMs: 2000,
      queryTimeoutMs: 2500,
      tenantQueryTimeoutMs: 60_000,
    });
    const env = { SCS_DB_STATEMENT_TIMEOUT_MS: '4000', SCS_DB_QUERY_TIMEOUT_MS: '5000' };
    expect(load(env).database).toMatchObject({ statementTimeoutMs: 4000, queryTimeoutMs: 5000 });
    expect(() => load({ SCS_DB_STATEMENT_TIMEOUT_MS: '3000', SCS_DB_QUERY_TIMEOUT_MS: '1000' })).toThrow(
      /SCS_DB_QUERY_TIMEOUT_MS=1000 must not be below SCS_DB_STATEMENT_TIMEOUT_MS=3000/,
    );
    expect(() => load({ SCS_DB_CONNECT_TIMEOUT_MS: '0' })).toThrow(/SCS_DB_CONNECT_TIMEOUT_MS=0 must be/);
  });

  it('turns traces on when an OTLP endpoint or a traces exporter is named, unless the SDK is disabled', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(load({}).tracing).toBeUndefined();
    expect(load(endpoint).tracing).toEqual({ serviceName: 'scs' });
    expect(load({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }).tracing).toBeDefined();
    expect(load({ OTEL_TRACES_EXPORTER: 'console' }).tracing).toBeDefined();
    expect(load({ ...endpoint, OTEL_SERVICE_NAME: 'scs-staging' }).tracing).toEqual({ serviceName: 'scs-staging' });
    expect(load({ ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracing).toBeUndefined();
    expect(load({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracing).toBeUndefined();
    expect(load({ OTEL_SERVICE_NAME: 'scs-staging' }).tracing).toBeUndefined(); // a name alone exports nothing
  });

  it('reads SCS_CORS_ORIGINS as origins, off by default, naming an entry that is not an origin', () => {
    expect(load({}).corsOrigins).toEqual([]);
    expect(load({ SCS_CORS_ORIGINS: 'https://console.example.org, http://localhost:5173' }).corsOrigins).toEqual([
      'https://console.example.org',
      'http://localhost:5173',
    ]);
    expect(load({ SCS_CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    expect(() => load({ SCS_CORS_ORIGINS: 'https://console.example.org/' })).toThrow(
      /SCS_CORS_ORIGINS: "https:\/\/console.example.org\/"/,
    );
    expect(() => load({ SCS_CORS_ORIGINS: 'console.example.org' })).toThrow(/is not an origin/);
  });

  it('reads SCS_RESERVED_SLUGS as more reserved slugs, naming each entry that is not a slug', () => {
    expect(load({}).reservedSlugs).toEqual([]);
    expect(load({ SCS_RESERVED_SLUGS: ' campus , portal-two,,admin ' }).reservedSlugs).toEqual([
      'campus',
      'portal-two',
      'admin', // already built in: allowed, changes nothing
    ]);
    let error: ConfigError | undefined;
    try {
      load({ SCS_RESERVED_SLUGS: 'campus,Big_One,-edge,ab' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error!.problems).toEqual([
      'SCS_RESERVED_SLUGS: "Big_One" may contain only lowercase letters a-z, digits 0-9 and hyphens',
      'SCS_RESERVED_SLUGS: "-edge" must not start or end with a hyphen',
      'SCS_RESERVED_SLUGS: "ab" must be at least 3 characters',
    ]);
  });

  it('reads SCHOOL_SUSPENDED_DNS_TARGET, of the kind of SCHOOL_DNS_TARGET (both IPs or both host names)', () => {
    expect(load({}).suspendedDnsTarget).toBeUndefined();
    expect(load({ SCHOOL_SUSPENDED_DNS_TARGET: '203.0.113.9' }).suspendedDnsTarget).toBe('203.0.113.9');
    const hosts = { SCHOOL_DNS_TARGET: 'ingress.syncad.in', SCHOOL_SUSPENDED_DNS_TARGET: 'maintenance.syncad.in' };
    expect(load(hosts)).toMatchObject({ dnsTarget: 'ingress.syncad.in', suspendedDnsTarget: 'maintenance.syncad.in' });
    expect(problems({ SCHOOL_SUSPENDED_DNS_TARGET: 'maintenance.syncad.in' })).toEqual([
      "SCHOOL_SUSPENDED_DNS_TARGET=maintenance.syncad.in must be of SCHOOL_DNS_TARGET's kind: both IP addresses (A records) or both host names (CNAME)",
    ]);
    expect(problems({ SCHOOL_SUSPENDED_DNS_TARGET: 'not a name' })).toEqual([
      'SCHOOL_SUSPENDED_DNS_TARGET=not a name must be an IP address (A record) or a host name (CNAME)',
    ]);
  });

  it('reads several API keys with ids, and never echoes a secret in its errors', () => {
    const config = load({ SCS_API_KEY: 'a'.repeat(20), SCS_API_KEYS: `ops:${'b'.repeat(20)},ci:${'c'.repeat(20)}` });
    expect(config.apiKeys).toEqual([
      { secret: 'a'.repeat(20) },
      { id: 'ops', secret: 'b'.repeat(20) },
      { id: 'ci', secret: 'c'.repeat(20) },
    ]);
    expect(() => load({ SCS_API_KEYS: 'ops:short-secret-x' })).toThrow(/ops/);
    try {
      load({ SCS_API_KEYS: 'BAD ID:supersecretvalue123456' });
    } catch (e) {
      expect((e as Error).message).not.toContain('supersecretvalue');
    }
  });

  it('reads scopes after a secret, keeps the old forms as every scope, and refuses an unknown scope', () => {
    const secret = 'd'.repeat(20);
    const config = load({
      SCS_API_KEYS: `audit:${secret}:audit:read+schools:read, ops:${'e'.repeat(20)}:operate, old:p@ss:w0rd-0123456789abcdef`,
    });
    expect(config.apiKeys).toEqual([
      { id: 'audit', secret, scopes: ['audit:read', 'schools:read'] },
      { id: 'ops', secret: 'e'.repeat(20), scopes: ['operate'] },
      { id: 'old', secret: 'p@ss:w0rd-0123456789abcdef' }, // the remainder is no scope list: the old form, every scope
    ]);
    // A misspelt scope is an error, never part of the secret (which would give the key every scope).
    const typo = problems({ SCS_API_KEYS: `audit:${secret}:schools:read+audit:raed` });
    expect(typo).toEqual([
      expect.stringMatching(/key "audit": scope 2 of 2 after its secret is not one of schools:read, /),
    ]);
    expect(typo.join()).not.toMatch(/raed|ddddd/);
  });

  it('reads the keys from SCS_API_KEYS_FILE (lines or commas, # comments), not with SCS_API_KEYS too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scs-keys-'));
    const file = join(dir, 'keys');
    writeFileSync(
      file,
      `# reporting\nreports:${'r'.repeat(20)}:reports:read\n\nci:${'c'.repeat(20)},all:${'a'.repeat(20)}\n`,
    );
    expect(load({ SCS_API_KEYS_FILE: file }).apiKeys).toEqual([
      { id: 'reports', secret: 'r'.repeat(20), scopes: ['reports:read'] },
      { id: 'ci', secret: 'c'.repeat(20) },
      { id: 'all', secret: 'a'.repeat(20) },
    ]);
    expect(() => load({ SCS_API_KEYS_FILE: file, SCS_API_KEYS: `x:${'x'.repeat(20)}` })).toThrow(/not both/);
    expect(() => load({ SCS_API_KEYS_FILE: join(dir, 'missing') })).toThrow(/cannot be read \(ENOENT\)/);
    rmSync(dir, { recursive: true });
  });

  it('reads every secret from <name>_FILE when <name> is unset, one trailing newline dropped; both set or an unreadable file is a problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scs-secrets-'));
    const secret = (name: string, value: string) => {
      writeFileSync(join(dir, name), `${value}\n`);
      return join(dir, name);
    };
    const credentialsKey = 'c3'.repeat(32);
    const tenantServers = 'b=postgres://scs:pw@b.internal:5432/postgres';
    const config = load({
      NODE_ENV: 'production',
      DATABASE_URL_FILE: secret('database_url', 'postgres://scs:secret@db.internal:5432/scs'),
      EVENTSTORE_CONNECTION_STRING_FILE: secret('esdb', 'kurrentdb://scs:pw@kurrentdb:2113?tls=true'),
      SCS_API_KEY_FILE: secret('api_key', 'k'.repeat(40)),
      SCS_CREDENTIALS_KEY_FILE: secret('credentials_key', credentialsKey),
      SCS_TENANT_SERVERS_FILE: secret('tenant_servers', tenantServers),
      DNS_PROVIDER: 'powerdns',
      POWERDNS_API_URL: 'http://127.0.0.1:8081',
      POWERDNS_API_KEY_FILE: secret('powerdns', 'pdns-secret'),
      MAIL_PROVIDER: 'smtp',
      SMTP_URL_FILE: secret('smtp', 'smtp://user:pass@mail.internal:587'),
    });
    expect(config.databaseUrl).toBe('postgres://scs:secret@db.internal:5432/scs');
    expect(config.eventStoreConnectionString).toBe('kurrentdb://scs:pw@kurrentdb:2113?tls=true');
    expect(config.apiKeys).toEqual([{ secret: 'k'.repeat(40) }]);
    expect(config.credentialsKeys).toEqual([{ id: 'default', key: Buffer.from(credentialsKey, 'hex') }]);
    expect(config.tenantServers).toEqual([{ name: 'b', url: 'postgres://scs:pw@b.internal:5432/postgres' }]);
    expect(config.powerdns?.apiKey).toBe('pdns-secret');
    expect(config.smtpUrl).toBe('smtp://user:pass@mail.internal:587');
    // The keyed list form of the credentials keys too.
    const keys = `new:${'a1'.repeat(32)}`;
    expect(load({ SCS_CREDENTIALS_KEYS_FILE: secret('keys', keys) }).credentialsKeys.map((k) => k.id)).toEqual(['new']);

    const both = problems({ SCS_API_KEY: 'k'.repeat(40), SCS_API_KEY_FILE: secret('api_key', 'k'.repeat(40)) });
    expect(both).toEqual(['set SCS_API_KEY or SCS_API_KEY_FILE, not both']);
    const missing = problems({ DATABASE_URL_FILE: join(dir, 'nothing-here') });
    expect(missing).toEqual([`DATABASE_URL_FILE=${join(dir, 'nothing-here')} cannot be read (ENOENT)`]);
    // What a file holds is validated as the variable would be, and never repeated in a message.
    const short = problems({ SCS_API_KEY_FILE: secret('short', 'tooShort') });
    expect(short).toEqual(['SCS_API_KEY must be at least 16 characters']);
    rmSync(dir, { recursive: true });
  });

  it('reads AWS_SECRET_ACCESS_KEY from its file as the key pair with AWS_ACCESS_KEY_ID, which every AWS client gets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scs-aws-'));
    const file = join(dir, 'aws_secret_access_key');
    writeFileSync(file, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
    const env = { AWS_SECRET_ACCESS_KEY_FILE: file, SCS_CREDENTIALS_DELIVERY: 'aws-secrets-manager' };
    const config = load({ ...env, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' });
    const pair = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
    expect(config.awsCredentials).toEqual(pair);
    // What an AWS client built from this configuration signs with (not the SDK's chain, which has no file form).
    const delivery = (await createCredentialsDelivery(config, 'owner')) as unknown as {
      options: { client: { config: { credentials: () => Promise<object> } } };
    };
    await expect(delivery.options.client.config.credentials()).resolves.toMatchObject(pair);
    // Without the file the SDK's chain reads its variables itself: nothing is handed down.
    expect(
      load({ AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' }).awsCredentials,
    ).toBeUndefined();
    expect(problems(env)).toEqual(['AWS_ACCESS_KEY_ID is required with AWS_SECRET_ACCESS_KEY_FILE (its key pair)']);
    expect(problems({ ...env, AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'x' })).toEqual([
      'set AWS_SECRET_ACCESS_KEY or AWS_SECRET_ACCESS_KEY_FILE, not both',
    ]);
    rmSync(dir, { recursive: true });
  });

  it("checks each provider's own settings", () => {
    let problems: string[] = [];
    try {
      load({
        DNS_PROVIDER: 'powerdns',
        CERT_PROVIDER: 'acme',
        MAIL_PROVIDER: 'smtp',
        SMTP_URL: 'http://x',
        ACME_DNS_RESOLVER: 'nope',
      });
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    const text = problems.join('\n');
    for (const name of ['POWERDNS_API_URL', 'POWERDNS_API_KEY', 'ACME_ACCOUNT_EMAIL', 'ACME_DNS_RESOLVER', 'SMTP_URL'])
      expect(text).toContain(name);
    expect(() => load({ CERT_PROVIDER: 'acme', ACME_ACCOUNT_EMAIL: 'ops@x.example' })).toThrow(/DNS-01/);
    const ok = load({
      DNS_PROVIDER: 'powerdns',
      POWERDNS_API_URL: 'http://127.0.0.1:8081',
      POWERDNS_API_KEY: 'k',
      DNS_ZONE: 'Schools.Example.',
      MAIL_PROVIDER: 'smtp',
      SMTP_URL: 'smtp://u:p@mail:587',
    });
    expect(ok).toMatchObject({
      dnsProvider: 'powerdns',
      dnsZone: 'schools.example',
      powerdns: { serverId: 'localhost' },
      smtpUrl: 'smtp://u:p@mail:587',
    });
  });

  it("needs each AWS provider's settings, and says which parts are not in this version yet", () => {
    let problems: string[] = [];
    try {
      load({ DNS_PROVIDER: 'route53', CERT_PROVIDER: 'acm', MAIL_PROVIDER: 'ses' });
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems.join('\n')).toMatch(/ROUTE53_HOSTED_ZONE_ID[\s\S]*SES_FROM_EMAIL/);
    expect(
      load({
        DNS_PROVIDER: 'route53',
        ROUTE53_HOSTED_ZONE_ID: 'Z1',
        CERT_PROVIDER: 'acm',
        MAIL_PROVIDER: 'ses',
        SES_FROM_EMAIL: 'w@syncad.in',
      }),
    ).toMatchObject({
      dnsProvider: 'route53',
      certProvider: 'acm',
      mailProvider: 'ses',
      route53HostedZoneId: 'Z1',
      mailFrom: 'w@syncad.in',
    });
    expect(() => load({ CERT_PROVIDER: 'acm' })).toThrow(/CERT_PROVIDER=acm needs a real DNS provider/);
    expect(() => load({ DNS_PROVIDER: 'bind' })).toThrow(/DNS_PROVIDER=bind must be one of: local, powerdns, route53/);
    for (const given of [
      'esdb://eventstore:2113?tls=false',
      'esdb+discover://scs:pw@cluster.internal:2113?tls=true',
      'kurrentdb://eventstore:2113?tls=false',
      'kurrentdb+discover://scs:pw@cluster.internal:2113?tls=true&nodePreference=leader',
    ]) {
      expect(load({ EVENTSTORE_CONNECTION_STRING: given }).eventStoreConnectionString).toBe(given);
    }
    expect(load({}).eventStoreConnectionString).toBeUndefined();
    for (const refused of ['http://eventstore:2113', 'kurrentdb:eventstore:2113', 'postgres://eventstore:2113']) {
      expect(() => load({ EVENTSTORE_CONNECTION_STRING: refused })).toThrow(
        /EVENTSTORE_CONNECTION_STRING must be a KurrentDB \(EventStoreDB\) connection string/,
      );
    }
  });
});
