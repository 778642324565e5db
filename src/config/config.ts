import { parseApiKeys, type ApiKeySettings } from './api-keys.js';
import { parseCertDelivery, type CertDeliveryConfig } from './cert-delivery.js';
import { parseCentralDatabase, type CentralDatabaseSettings } from './central-database.js';
import { parseCredentialsDelivery, type CredentialsDeliveryConfig } from './credentials-delivery.js';
import { parseCredentialsKeys, type CredentialsKeySettings } from './credentials-keys.js';
import { ConfigError, EnvReader } from './env-reader.js';
import { parseFaultSettings, type FaultSettings } from './faults.js';
import { parseHttp, type HttpSettings } from './http.js';
import { parseJobs, type JobSettings } from './jobs.js';
import { parseObservability, type ObservabilitySettings } from './observability.js';
import { parseProviders, type ProviderSettings } from './providers.js';
import { parseSchoolDatabases, type SchoolDatabaseSettings } from './school-databases.js';
import { parseSchoolNames, type SchoolNameSettings } from './school-names.js';
import { withSecretFiles } from './secret-files.js';
import { parseTenantServers, type TenantServerSettings } from './tenant-servers.js';
import { parseWebhooks, type WebhookSettings } from './webhooks.js';

export type { ConfiguredApiKey } from './api-keys.js';
export type { DatabaseDeadlines } from './central-database.js';
export type { CredentialsKey } from './credentials-keys.js';
export { ConfigError } from './env-reader.js';

/**
 * Everything SCS reads from its environment, validated once; nothing else reads process.env. Each concern's
 * fields, their variables and their checks live in the module of its `*Settings`.
 */
export interface Config
  extends
    CentralDatabaseSettings,
    ApiKeySettings,
    CredentialsKeySettings,
    SchoolNameSettings,
    ProviderSettings,
    FaultSettings,
    SchoolDatabaseSettings,
    TenantServerSettings,
    HttpSettings,
    WebhookSettings,
    JobSettings,
    ObservabilitySettings {
  env: 'development' | 'test' | 'production';
  dataDir: string;
  /** CERT_DELIVERY: where school certificates go for TLS, and its settings. */
  certDelivery: CertDeliveryConfig;
  /** SCS_CREDENTIALS_DELIVERY: how school apps get their database connection, and its settings. */
  credentialsDelivery: CredentialsDeliveryConfig;
}

/** Reads and checks every setting; throws a ConfigError naming every problem found, never just the first. */
export function loadConfig(rawEnv: NodeJS.ProcessEnv, defaults: { dataDir: string }): Config {
  const problems: string[] = [];
  const fromFile = new Set<string>();
  const read = new EnvReader(withSecretFiles(rawEnv, problems, fromFile), problems);
  const env = nodeEnvOf(read);
  const production = env === 'production';
  const dataDir = read.env.SCS_DATA_DIR || defaults.dataDir;
  const centralDatabase = parseCentralDatabase(read, { production });
  const apiKeys = parseApiKeys(read, { fromFile: fromFile.has('SCS_API_KEYS'), production });
  const credentialsKeys = parseCredentialsKeys(read, { production });
  const names = parseSchoolNames(read);
  const awsSecretFromFile = fromFile.has('AWS_SECRET_ACCESS_KEY');
  const providers = parseProviders(read, { baseDomain: names.baseDomain, awsSecretFromFile });
  const config: Config = {
    env,
    dataDir,
    ...centralDatabase,
    ...apiKeys,
    ...credentialsKeys,
    ...names,
    ...providers,
    ...parseFaultSettings(read, { production }),
    ...parseSchoolDatabases(read),
    ...parseHttp(read),
    certDelivery: parseCertDelivery(read, { dataDir, certProvider: providers.certProvider }),
    credentialsDelivery: parseCredentialsDelivery(read, { dataDir }),
    ...parseWebhooks(read, { production }),
    ...parseJobs(read, { dataDir }),
    ...parseObservability(read),
    // Last: it reports an empty list only when nothing else is wrong.
    ...parseTenantServers(read),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function nodeEnvOf(read: EnvReader): Config['env'] {
  const nodeEnv = read.env.NODE_ENV || 'development';
  if (!['development', 'test', 'production'].includes(nodeEnv))
    read.problem(`NODE_ENV=${nodeEnv} must be development, test or production`);
  return nodeEnv as Config['env'];
}
