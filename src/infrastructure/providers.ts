import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerCredentialsDelivery } from './credentials-delivery/aws-secrets-manager/secrets-manager-delivery.js';
import { ApiCredentialsDelivery, type CredentialsDelivery } from '../application/ports/credentials-delivery.port.js';
import { FileCredentialsDelivery } from './credentials-delivery/files/file-credentials-delivery.js';
import { join } from 'node:path';
import type pg from 'pg';
import { ACMClient } from '@aws-sdk/client-acm';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { AcmCertificateProvider } from './certificates/acm/acm-certificates.js';
import { Route53DnsProvider } from './dns/route53/route53-dns.js';
import { SesMailer } from './mail/ses/ses-mailer.js';
import type { CertificateProvider } from '../application/ports/certificates.port.js';
import { NoCertificateDelivery, type CertificateDelivery } from '../application/ports/certificate-delivery.port.js';
import { AlbCertificateDelivery } from './certificate-delivery/alb/alb-delivery.js';
import { FileCertificateDelivery } from './certificate-delivery/files/file-delivery.js';
import { ReloadCommand } from './certificate-delivery/files/reload-command.js';
import type { DatabaseArchives } from '../application/ports/database-archives.port.js';
import { FolderDatabaseArchives } from './archives/folder/folder-archives.js';
import { S3DatabaseArchives } from './archives/s3/s3-archives.js';
import type { DnsProvider } from '../application/ports/dns.port.js';
import type { AppLogger } from '../application/ports/logger.port.js';
import type { Mailer } from '../application/ports/mailer.port.js';
import type { Config } from '../config/config.js';
import { AcmeCertificateProvider } from './certificates/acme/acme-certificates.js';
import { LocalCertificateAuthority } from './certificates/local/local-ca.js';
import { LocalCertificateProvider } from './certificates/local/local-certificates.js';
import { LocalDnsProvider } from './dns/local/local-dns.js';
import { PowerDnsProvider } from './dns/powerdns/powerdns-dns.js';
import { OutboxMailer } from './mail/outbox/outbox-mailer.js';
import { SmtpMailer } from './mail/smtp/smtp-mailer.js';

/**
 * What the AWS clients are built with: the key pair when the configuration holds one
 * (AWS_SECRET_ACCESS_KEY_FILE), else nothing, for the SDK's default chain (AWS_REGION, AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, a profile, a role, …). The adapters' clients also have their own retries off
 * (`maxAttempts: 1`): those adapters retry throttling themselves, with jitter.
 */
export function awsCredentials(config: Config): { credentials?: Config['awsCredentials'] } {
  return config.awsCredentials ? { credentials: config.awsCredentials } : {};
}

/** The providers the configuration chose (DNS_PROVIDER, CERT_PROVIDER, MAIL_PROVIDER). */
/** `sealingKeys`: for secrets at rest (the ACME keys), the active credentials key's first, then older ones. */
export async function createProviders(
  config: Config,
  pool: pg.Pool,
  sealingKeys: Buffer[],
  logger: AppLogger,
  owner: string,
): Promise<{ dns: DnsProvider; certificates: CertificateProvider; mailer: Mailer }> {
  const dns: DnsProvider =
    config.dnsProvider === 'powerdns'
      ? new PowerDnsProvider({ ...config.powerdns!, zone: config.dnsZone, owner })
      : config.dnsProvider === 'route53'
        ? new Route53DnsProvider({
            client: new Route53Client({ maxAttempts: 1, ...awsCredentials(config) }),
            hostedZoneId: config.route53HostedZoneId!,
            zone: config.dnsZone,
            owner,
          })
        : new LocalDnsProvider({ pool, zone: config.dnsZone, owner });

  const certificates: CertificateProvider =
    config.certProvider === 'acme'
      ? new AcmeCertificateProvider({
          pool,
          dns,
          ...config.acme!,
          encryptionKey: sealingKeys[0],
          decryptionKeys: sealingKeys.slice(1),
          logger,
        })
      : config.certProvider === 'acm'
        ? new AcmCertificateProvider({ client: new ACMClient({ maxAttempts: 1, ...awsCredentials(config) }), dns })
        : new LocalCertificateProvider({
            pool,
            ca: await LocalCertificateAuthority.loadOrCreate(join(config.dataDir, 'ca')),
            validityDays: config.localCertificateValiditySeconds / 86_400,
          });

  const mailer: Mailer =
    config.mailProvider === 'smtp'
      ? new SmtpMailer({ url: config.smtpUrl!, from: config.mailFrom })
      : config.mailProvider === 'ses'
        ? new SesMailer({
            client: new SESv2Client({ maxAttempts: 1, ...awsCredentials(config) }),
            from: config.mailFrom,
          })
        : new OutboxMailer({ dir: join(config.dataDir, 'outbox'), from: config.mailFrom });

  return { dns, certificates, mailer };
}

/** CERT_DELIVERY: where certificates go for TLS (`none`, PEM `files`, an `alb` listener). */
export function createDelivery(
  config: Config,
  certificates: CertificateProvider,
  owner: string,
  logger: AppLogger,
  onReload: (outcome: 'succeeded' | 'failed') => void,
): CertificateDelivery {
  const settings = config.certDelivery;
  if (settings.mode === 'alb')
    return new AlbCertificateDelivery({
      client: new ElasticLoadBalancingV2Client({ maxAttempts: 1, ...awsCredentials(config) }),
      acm: new ACMClient({ maxAttempts: 1, ...awsCredentials(config) }),
      listenerArn: settings.albListenerArn!,
      owner,
    });
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
export function createCredentialsDelivery(config: Config, owner: string): CredentialsDelivery {
  const settings = config.credentialsDelivery;
  if (settings.mode === 'files') return new FileCredentialsDelivery(settings.dir, owner);
  if (settings.mode === 'aws-secrets-manager')
    return new SecretsManagerCredentialsDelivery({
      client: new SecretsManagerClient({ maxAttempts: 1, ...awsCredentials(config) }),
      prefix: settings.secretPrefix,
      recoveryWindowDays: settings.recoveryWindowDays,
      owner,
    });
  return new ApiCredentialsDelivery();
}

/** SCS_ARCHIVE_DIR: a folder, or s3://bucket/prefix (staged in the data folder, then uploaded). */
export function createArchives(
  config: Config,
  serverUrl: string,
  servers?: ReadonlyMap<string, string>,
): DatabaseArchives {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(config.archiveDir);
  const retentionDays = config.archiveRetentionDays;
  if (!s3) return new FolderDatabaseArchives({ dir: config.archiveDir, serverUrl, servers, retentionDays });
  const stagingDir = join(config.dataDir, 'archive-staging');
  const staging = new FolderDatabaseArchives({ dir: stagingDir, serverUrl, servers, retentionDays: 1 });
  return new S3DatabaseArchives({
    client: new S3Client(awsCredentials(config)),
    bucket: s3[1],
    prefix: s3[2],
    staging,
    retentionDays: config.archiveRetentionDays,
  });
}
