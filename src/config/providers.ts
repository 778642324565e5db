import type { EnvReader } from './env-reader.js';

/** Which DNS, certificate and mail providers SCS uses, and each one's own settings. */
export interface ProviderSettings {
  dnsProvider: 'local' | 'powerdns' | 'route53';
  certProvider: 'local' | 'acme' | 'acm';
  mailProvider: 'outbox' | 'smtp' | 'ses';
  powerdns?: { apiUrl: string; apiKey: string; serverId: string };
  route53HostedZoneId?: string;
  /**
   * The key pair SCS hands every AWS client itself, when the secret key comes from a file
   * (AWS_SECRET_ACCESS_KEY_FILE, with AWS_ACCESS_KEY_ID); absent: the AWS SDK's default credential chain.
   */
  awsCredentials?: { accessKeyId: string; secretAccessKey: string };
  acme?: { directoryUrl: string; accountEmail: string; dnsResolver?: string; wildcard: boolean };
  /** The local CA's certificate lifetime. */
  localCertificateValiditySeconds: number;
  smtpUrl?: string;
  mailFrom: string;
}

type Choice = Pick<ProviderSettings, 'dnsProvider' | 'certProvider' | 'mailProvider'>;

/** `baseDomain`: the default sender's domain; `awsSecretFromFile`: AWS_SECRET_ACCESS_KEY came from its _FILE. */
export function parseProviders(
  read: EnvReader,
  context: { baseDomain: string; awsSecretFromFile: boolean },
): ProviderSettings {
  const choice: Choice = {
    dnsProvider: read.oneOf('DNS_PROVIDER', ['local', 'powerdns', 'route53'] as const),
    certProvider: read.oneOf('CERT_PROVIDER', ['local', 'acme', 'acm'] as const),
    mailProvider: read.oneOf('MAIL_PROVIDER', ['outbox', 'smtp', 'ses'] as const),
  };
  const powerdns = choice.dnsProvider === 'powerdns' ? powerdnsOf(read) : undefined;
  const acme = choice.certProvider === 'acme' ? acmeOf(read, choice) : undefined;
  const route53HostedZoneId =
    choice.dnsProvider === 'route53' ? read.required('ROUTE53_HOSTED_ZONE_ID', 'with DNS_PROVIDER=route53') : undefined;
  checkAwsChoice(read, choice);
  const awsCredentials = context.awsSecretFromFile ? awsCredentialsOf(read) : undefined;
  return {
    ...choice,
    powerdns,
    route53HostedZoneId,
    ...(awsCredentials ? { awsCredentials } : {}),
    acme,
    localCertificateValiditySeconds: read.int('SCS_LOCAL_CERT_VALIDITY_S', 90 * 86_400, 5, 825 * 86_400),
    smtpUrl: choice.mailProvider === 'smtp' ? smtpUrlOf(read) : undefined,
    mailFrom: read.env.SES_FROM_EMAIL || `no-reply@${context.baseDomain}`,
  };
}

function powerdnsOf(read: EnvReader): ProviderSettings['powerdns'] {
  const powerdns = {
    apiUrl: read.required('POWERDNS_API_URL', 'with DNS_PROVIDER=powerdns (e.g. http://127.0.0.1:8081)'),
    apiKey: read.required('POWERDNS_API_KEY', 'with DNS_PROVIDER=powerdns'),
    serverId: read.env.POWERDNS_SERVER_ID || 'localhost',
  };
  read.checkUrl('POWERDNS_API_URL', powerdns.apiUrl, ['http:', 'https:']);
  return powerdns;
}

function acmeOf(read: EnvReader, choice: Choice): ProviderSettings['acme'] {
  const dnsResolver = read.optional('ACME_DNS_RESOLVER');
  if (dnsResolver && !/^[^:\s]+:\d{1,5}$/.test(dnsResolver))
    read.problem("ACME_DNS_RESOLVER must be host:port of the zone's authoritative server (e.g. 127.0.0.1:53)");
  if (choice.dnsProvider === 'local')
    read.problem(
      'CERT_PROVIDER=acme needs a real DNS provider for DNS-01 (DNS_PROVIDER=powerdns): the local zone is not served to the CA',
    );
  const acme = {
    directoryUrl: read.env.ACME_DIRECTORY_URL || 'https://acme-v02.api.letsencrypt.org/directory',
    accountEmail: read.required('ACME_ACCOUNT_EMAIL', 'with CERT_PROVIDER=acme (the ACME account contact)'),
    dnsResolver,
    wildcard: ['1', 'true', 'yes'].includes((read.env.CERT_WILDCARD ?? '').toLowerCase()),
  };
  read.checkUrl('ACME_DIRECTORY_URL', acme.directoryUrl, ['https:', 'http:']);
  return acme;
}

/** ACM and SES need what only the AWS side has: real validation records, a verified sender. */
function checkAwsChoice(read: EnvReader, choice: Choice): void {
  if (choice.certProvider === 'acm' && choice.dnsProvider === 'local')
    read.problem(
      'CERT_PROVIDER=acm needs a real DNS provider for its validation records (DNS_PROVIDER=route53 or powerdns)',
    );
  if (choice.mailProvider === 'ses' && !read.env.SES_FROM_EMAIL)
    read.problem('SES_FROM_EMAIL is required with MAIL_PROVIDER=ses (a verified sender identity)');
}

function awsCredentialsOf(read: EnvReader): ProviderSettings['awsCredentials'] {
  const secretAccessKey = read.env.AWS_SECRET_ACCESS_KEY;
  if (!secretAccessKey) return undefined;
  const accessKeyId = read.env.AWS_ACCESS_KEY_ID;
  if (accessKeyId) return { accessKeyId, secretAccessKey };
  read.problem('AWS_ACCESS_KEY_ID is required with AWS_SECRET_ACCESS_KEY_FILE (its key pair)');
  return undefined;
}

function smtpUrlOf(read: EnvReader): string {
  const smtpUrl = read.required('SMTP_URL', 'with MAIL_PROVIDER=smtp (e.g. smtp://user:pass@host:587)');
  read.checkUrl('SMTP_URL', smtpUrl, ['smtp:', 'smtps:']);
  return smtpUrl;
}
