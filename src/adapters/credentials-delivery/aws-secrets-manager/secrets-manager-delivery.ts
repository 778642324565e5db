import { createHash } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type {
  CredentialsDelivered,
  CredentialsDelivery,
  CredentialsWithdrawn,
  DeliveredCredentials,
  SchoolConnection,
  SchoolToDeliver,
} from '../../../ports/credentials-delivery.port.js';
import { realSleep, withAwsRetry } from '../../aws/aws-errors.js';

export interface SecretsManagerDeliveryOptions {
  /** Made with `maxAttempts: 1`: throttling and 5xx are retried here, once. */
  client: SecretsManagerClient;
  /** SCS_CREDENTIALS_SECRET_PREFIX: each school's secret is `<prefix>/<school id>`. */
  prefix: string;
  /** SCS_CREDENTIALS_RECOVERY_DAYS: how long a torn-down school's secret can still be restored. */
  recoveryWindowDays: number;
  /** SCS_OWNER_ID, tagged on each secret (`scs/owner`) with the school (`scs/school`). */
  owner: string;
  sleep?: (ms: number) => Promise<void>;
}

const nameOf = (error: unknown) => (error as { name?: string })?.name;

/**
 * The secret's value: the JSON RDS and its rotation functions use for a PostgreSQL secret (`engine`, `host`,
 * `port`, `dbname`, `username`, `password`), so the usual clients and sidecars read it as it is.
 */
function secretValueOf(connection: SchoolConnection): string {
  const { host, port, database, role, password, server } = connection;
  return JSON.stringify({ engine: 'postgres', host, port, dbname: database, username: role, password, server });
}

/**
 * SCS_CREDENTIALS_DELIVERY=aws-secrets-manager: one secret per school, `<prefix>/<school id>`. Created on the
 * first delivery (one there already: a re-run, so its value is put instead), a new version put on rotation,
 * deleted with a recovery window on teardown (one not found, or already marked for deletion, is gone).
 * Each version's ClientRequestToken is the hash of its value, so a re-run after a crash puts no new version.
 */
export class SecretsManagerCredentialsDelivery implements CredentialsDelivery {
  readonly name = 'aws-secrets-manager';
  private readonly retry: { attempts: number; baseDelayMs: number; sleep: (ms: number) => Promise<void> };

  constructor(private readonly options: SecretsManagerDeliveryOptions) {
    this.retry = { attempts: 4, baseDelayMs: 250, sleep: options.sleep ?? realSleep };
  }

  secretIdOf(school: SchoolToDeliver): string {
    return `${this.options.prefix}/${school.id}`;
  }

  async deliver(school: SchoolToDeliver, connection: SchoolConnection): Promise<CredentialsDelivered> {
    const { client, owner } = this.options;
    const name = this.secretIdOf(school);
    const value = secretValueOf(connection);
    const token = createHash('sha256').update(value).digest('hex');
    try {
      const create = new CreateSecretCommand({
        Name: name,
        Description: `SCS: the database connection of school ${school.slug} (${school.id})`,
        SecretString: value,
        ClientRequestToken: token,
        Tags: [
          { Key: 'scs/owner', Value: owner },
          { Key: 'scs/school', Value: school.id },
        ],
      });
      await withAwsRetry(`CreateSecret ${name}`, () => client.send(create), this.retry);
    } catch (error) {
      if (nameOf((error as { cause?: unknown }).cause) !== 'ResourceExistsException') throw error;
      const put = new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: token });
      await withAwsRetry(`PutSecretValue ${name}`, () => client.send(put), this.retry);
    }
    return { location: name };
  }

  async withdraw(school: SchoolToDeliver): Promise<CredentialsWithdrawn> {
    const { client, recoveryWindowDays } = this.options;
    const name = this.secretIdOf(school);
    const remove = new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: recoveryWindowDays });
    try {
      await withAwsRetry(`DeleteSecret ${name}`, () => client.send(remove), this.retry);
      return { location: name, existed: true };
    } catch (error) {
      const cause = (error as { cause?: { name?: string; message?: string } }).cause;
      if (cause?.name === 'ResourceNotFoundException') return { location: name, existed: false };
      // An earlier run's delete went through (then it crashed before recording it): already on its way out.
      if (cause?.name === 'InvalidRequestException' && /marked for deletion/i.test(cause.message ?? ''))
        return { location: name, existed: false };
      throw error;
    }
  }

  /**
   * The secrets under the prefix (ListSecrets filtered by name, page by page; those marked for deletion are
   * not listed), with the `scs/owner` and `scs/school` tags the delivery put on them.
   */
  async listDelivered(): Promise<DeliveredCredentials[]> {
    const { client, prefix } = this.options;
    const found: DeliveredCredentials[] = [];
    let NextToken: string | undefined;
    do {
      const list = new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [`${prefix}/`] }], NextToken });
      const page = await withAwsRetry(`ListSecrets ${prefix}/`, () => client.send(list), this.retry);
      for (const secret of page.SecretList ?? []) {
        if (!secret.Name?.startsWith(`${prefix}/`)) continue; // the filter matches a prefix of any word
        const tag = (key: string) => secret.Tags?.find((t) => t.Key === key)?.Value;
        const owner = tag('scs/owner');
        const schoolId = tag('scs/school');
        found.push({
          location: secret.Name,
          ...(owner !== undefined && { owner }),
          ...(schoolId && { school: { id: schoolId, slug: '' } }),
        });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return found;
  }
}
