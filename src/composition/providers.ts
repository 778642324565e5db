import { join } from 'node:path';
import type pg from 'pg';
import { ApiCredentialsDelivery, type CredentialsDelivery } from '../ports/credentials-delivery.port.js';
import { FileCredentialsDelivery } from '../adapters/credentials-delivery/files/file-credentials-delivery.js';
import type { CertificateProvider } from '../ports/certificates.port.js';
import type { Clock } from '../ports/clock.port.js';
import { NoCertificateDelivery, type CertificateDelivery } from '../ports/certificate-delivery.port.js';
import { FileCertificateDelivery } from '../adapters/certificate-delivery/files/file-delivery.js';
import { ReloadCommand } from '../adapters/certificate-delivery/files/reload-command.js';
import type { DatabaseArchives } from '../ports/database-archives.port.js';
import { FolderDatabaseArchives } from '../adapters/archives/folder/folder-archives.js';
import type { DnsProvider } from '../ports/dns.port.js';
import type { AppLogger } from '../ports/logger.port.js';
import type { Mailer } from '../ports/mailer.port.js';
import type { Config } from '../config/config.js';
import { LocalCertificateAuthority } from '../adapters/certificates/local/local-ca.js';
import { LocalCertificateProvider } from '../adapters/certificates/local/local-certificates.js';
import { LocalDnsProvider } from '../adapters/dns/local/local-dns.js';
import { OutboxMailer } from '../adapters/mail/outbox/outbox-mailer.js';

// The adapters of the providers a deployment did not choose are not loaded: each remote one (the AWS SDK's
// clients, acme-client, nodemailer, PowerDNS's) is imported in its branch below. Together they were about
// a third of the service's module loading (0.7-0.9 s of 2.0-2.4 s on this machine), paid by every start,
// each CLI command and each e2e suite's SCS process, with the local providers.

/**
 * What the AWS clients are built with: the key pair when the configuration holds one
 * (AWS_SECRET_ACCESS_KEY_FILE), else nothing, for the SDK's default chain (AWS_REGION, AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, a profile, a role, …). The adapters' clients also have their own retries off
 * (`maxAttempts: 1`): those adapters retry throttling themselves, with jitter.
 */
function awsCredentials(config: Config): { credentials?: Config['awsCredentials'] } {
  return config.awsCredentials ? { credentials: config.awsCredentials } : {};
}

/** An adapter's AWS client options: the credentials above, the SDK's own retries off. */
function adapterClient(config: Config): { maxAttempts: number; credentials?: Config['awsCredentials'] } {
  return { maxAttempts: 1, ...awsCredentials(config) };
}

/**
 * The providers the configuration chose (DNS_PROVIDER, CERT_PROVIDER, MAIL_PROVIDER). `sealingKeys`: for
 * secrets at rest (the ACME keys), the active credentials key's first, then older ones; `clock`: dates the
 * local certificates and the outbox's emails.
 */
export async function createProviders(
  config: Config,
  pool: pg.Pool,
  sealingKeys: Buffer[],
  logger: AppLogger,
  owner: string,
  clock: Clock,
): Promise<{ dns: DnsProvider; certificates: CertificateProvider; mailer: Mailer }> {
  const dns = await createDns(config, pool, owner);
  return {
    dns,
    certificates: await createCertificates(config, pool, dns, sealingKeys, logger, clock),
    mailer: await createMailer(config, clock),
  };
}

async function createDns(config: Config, pool: pg.Pool, owner: string): Promise<DnsProvider> {
  if (config.dnsProvider === 'powerdns') {
    const { PowerDnsProvider } = await import('../adapters/dns/powerdns/powerdns-dns.js');
    return new PowerDnsProvider({ ...config.powerdns!, zone: config.dnsZone, owner });
  }
  if (config.dnsProvider === 'route53') {
    const [{ Route53Client }, { Route53DnsProvider }] = await Promise.all([
      import('@aws-sdk/client-route-53'),
      import('../adapters/dns/route53/route53-dns.js'),
    ]);
    return new Route53DnsProvider({
      client: new Route53Client(adapterClient(config)),
      hostedZoneId: config.route53HostedZoneId!,
      zone: config.dnsZone,
      owner,
    });
  }
  return new LocalDnsProvider({ pool, zone: config.dnsZone, owner });
}

async function createCertificates(
  config: Config,
  pool: pg.Pool,
  dns: DnsProvider,
  sealingKeys: Buffer[],
  logger: AppLogger,
  clock: Clock,
): Promise<CertificateProvider> {
  if (config.certProvider === 'acme') {
    const { AcmeCertificateProvider } = await import('../adapters/certificates/acme/acme-certificates.js');
    return new AcmeCertificateProvider({
      pool,
      dns,
      ...config.acme!,
      encryptionKey: sealingKeys[0],
      decryptionKeys: sealingKeys.slice(1),
      logger,
    });
  }
  if (config.certProvider === 'acm') {
    const [{ ACMClient }, { AcmCertificateProvider }] = await Promise.all([
      import('@aws-sdk/client-acm'),
      import('../adapters/certificates/acm/acm-certificates.js'),
    ]);
    return new AcmCertificateProvider({ client: new ACMClient(adapterClient(config)), dns });
  }
  return new LocalCertificateProvider({
    pool,
    ca: await LocalCertificateAuthority.loadOrCreate(join(config.dataDir, 'ca'), clock),
    validityDays: config.localCertificateValiditySeconds / 86_400,
    clock,
  });
}

async function createMailer(config: Config, clock: Clock): Promise<Mailer> {
  if (config.mailProvider === 'smtp') {
    const { SmtpMailer } = await import('../adapters/mail/smtp/smtp-mailer.js');
    return new SmtpMailer({ url: config.smtpUrl!, from: config.mailFrom });
  }
  if (config.mailProvider === 'ses') {
    const [{ SESv2Client }, { SesMailer }] = await Promise.all([
      import('@aws-sdk/client-sesv2'),
      import('../adapters/mail/ses/ses-mailer.js'),
    ]);
    return new SesMailer({
      client: new SESv2Client(adapterClient(config)),
      from: config.mailFrom,
    });
  }
  return new OutboxMailer({ dir: join(config.dataDir, 'outbox'), from: config.mailFrom, clock });
}

/** CERT_DELIVERY: where certificates go for TLS (`none`, PEM `files`, an `alb` listener). */
export async function createDelivery(
  config: Config,
  certificates: CertificateProvider,
  owner: string,
  logger: AppLogger,
  onReload: (outcome: 'succeeded' | 'failed') => void,
): Promise<CertificateDelivery> {
  const settings = config.certDelivery;
  if (settings.mode === 'alb') {
    const [{ ElasticLoadBalancingV2Client }, { ACMClient }, { AlbCertificateDelivery }] = await Promise.all([
      import('@aws-sdk/client-elastic-load-balancing-v2'),
      import('@aws-sdk/client-acm'),
      import('../adapters/certificate-delivery/alb/alb-delivery.js'),
    ]);
    return new AlbCertificateDelivery({
      client: new ElasticLoadBalancingV2Client(adapterClient(config)),
      acm: new ACMClient(adapterClient(config)),
      listenerArn: settings.albListenerArn!,
      owner,
    });
  }
  if (settings.mode !== 'files') return new NoCertificateDelivery(owner);
  const command = settings.reloadCommand;
  const reload = command
    ? new ReloadCommand({ command, debounceMs: settings.reloadDebounceMs, logger, onOutcome: onReload })
    : undefined;
  const { dir, fileOwner } = settings;
  const wildcard = config.acme?.wildcard ?? false; // one certificate for every school: delivered once
  return new FileCertificateDelivery({ dir, owner, certificates, fileOwner, reload, wildcard });
}

/** SCS_CREDENTIALS_DELIVERY: how school apps get their database connection (`api`, `files`, `aws-secrets-manager`). */
export async function createCredentialsDelivery(config: Config, owner: string): Promise<CredentialsDelivery> {
  const settings = config.credentialsDelivery;
  if (settings.mode === 'files') return new FileCredentialsDelivery(settings.dir, owner);
  if (settings.mode === 'aws-secrets-manager') {
    const [{ SecretsManagerClient }, { SecretsManagerCredentialsDelivery }] = await Promise.all([
      import('@aws-sdk/client-secrets-manager'),
      import('../adapters/credentials-delivery/aws-secrets-manager/secrets-manager-delivery.js'),
    ]);
    return new SecretsManagerCredentialsDelivery({
      client: new SecretsManagerClient(adapterClient(config)),
      prefix: settings.secretPrefix,
      recoveryWindowDays: settings.recoveryWindowDays,
      owner,
    });
  }
  return new ApiCredentialsDelivery();
}

/**
 * SCS_ARCHIVE_DIR: a folder, or s3://bucket/prefix (staged in the data folder, then uploaded). `clock`: names
 * the archive files and dates their header.
 */
export async function createArchives(
  config: Config,
  clock: Clock,
  serverUrl: string,
  servers?: ReadonlyMap<string, string>,
): Promise<DatabaseArchives> {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(config.archiveDir);
  const retentionDays = config.archiveRetentionDays;
  if (!s3) return new FolderDatabaseArchives({ dir: config.archiveDir, serverUrl, servers, retentionDays, clock });
  const stagingDir = join(config.dataDir, 'archive-staging');
  const staging = new FolderDatabaseArchives({ dir: stagingDir, serverUrl, servers, retentionDays: 1, clock });
  const [{ S3Client }, { S3DatabaseArchives }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../adapters/archives/s3/s3-archives.js'),
  ]);
  return new S3DatabaseArchives({
    client: new S3Client(awsCredentials(config)),
    bucket: s3[1],
    prefix: s3[2],
    staging,
    retentionDays: config.archiveRetentionDays,
  });
}
