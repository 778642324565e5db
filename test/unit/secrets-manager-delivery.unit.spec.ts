import { createHash } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerCredentialsDelivery } from '../../src/adapters/credentials-delivery/aws-secrets-manager/secrets-manager-delivery.js';

const SCHOOL = { id: '7d2f3a64-9a41-4c2e-9a57-5a0c1b2d3e4f', slug: 'greenwood' };
const NAME = `scs/schools/${SCHOOL.id}`;
const connection = {
  schoolId: SCHOOL.id,
  server: 'apps',
  host: 'db.internal',
  port: 5432,
  database: 'school_7d2f_db',
  role: 'school_7d2f_db_owner',
  password: 'first-password',
};
const valueOf = (password: string) =>
  JSON.stringify({
    engine: 'postgres',
    host: 'db.internal',
    port: 5432,
    dbname: 'school_7d2f_db',
    username: 'school_7d2f_db_owner',
    password,
    server: 'apps',
  });
const tokenOf = (value: string) => createHash('sha256').update(value).digest('hex');
const awsError = (name: string, message = `${name} happened`) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe('SCS_CREDENTIALS_DELIVERY=aws-secrets-manager: one secret per school (requests asserted at the SDK boundary)', () => {
  const sm = mockClient(SecretsManagerClient);
  const delivery = () =>
    new SecretsManagerCredentialsDelivery({
      client: new SecretsManagerClient({}),
      prefix: 'scs/schools',
      recoveryWindowDays: 14,
      owner: 'scs-test',
      sleep: async () => undefined,
    });
  const sent = () => sm.calls().map((c) => [c.args[0].constructor.name, c.args[0].input as unknown]);

  beforeEach(() => sm.reset());

  it('creates <prefix>/<school id> with the RDS-style JSON, tagged with the owner and the school', async () => {
    sm.on(CreateSecretCommand).resolves({ Name: NAME });
    expect(await delivery().deliver(SCHOOL, connection)).toEqual({ location: NAME });
    const value = valueOf('first-password');
    expect(sent()).toEqual([
      [
        'CreateSecretCommand',
        {
          Name: NAME,
          Description: `SCS: the database connection of school greenwood (${SCHOOL.id})`,
          SecretString: value,
          ClientRequestToken: tokenOf(value),
          Tags: [
            { Key: 'scs/owner', Value: 'scs-test' },
            { Key: 'scs/school', Value: SCHOOL.id },
          ],
        },
      ],
    ]);
  });

  it('puts a new version when the secret exists (a rotation, or a re-run), with the value’s hash as its token', async () => {
    sm.on(CreateSecretCommand).rejects(awsError('ResourceExistsException'));
    sm.on(PutSecretValueCommand).resolves({ Name: NAME, VersionId: 'v2' });
    expect(await delivery().deliver(SCHOOL, { ...connection, password: 'rotated' })).toEqual({ location: NAME });
    const value = valueOf('rotated');
    expect(sent()).toEqual([
      ['CreateSecretCommand', expect.objectContaining({ Name: NAME, SecretString: value })],
      ['PutSecretValueCommand', { SecretId: NAME, SecretString: value, ClientRequestToken: tokenOf(value) }],
    ]);
  });

  it('retries throttling, and fails permanently on anything else', async () => {
    sm.on(CreateSecretCommand).rejectsOnce(awsError('ThrottlingException')).resolves({ Name: NAME });
    await delivery().deliver(SCHOOL, connection);
    expect(sent().map(([name]) => name)).toEqual(['CreateSecretCommand', 'CreateSecretCommand']);
    sm.reset();
    sm.on(CreateSecretCommand).rejects(awsError('AccessDeniedException'));
    await expect(delivery().deliver(SCHOOL, connection)).rejects.toMatchObject({
      permanent: true,
      message: expect.stringContaining(`CreateSecret ${NAME}: AccessDeniedException`),
    });
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('deletes the secret with the recovery window on teardown; one not found, or already marked, is gone', async () => {
    sm.on(DeleteSecretCommand).resolves({ Name: NAME });
    expect(await delivery().withdraw(SCHOOL)).toEqual({ location: NAME, existed: true });
    expect(sent()).toEqual([['DeleteSecretCommand', { SecretId: NAME, RecoveryWindowInDays: 14 }]]);

    sm.reset();
    sm.on(DeleteSecretCommand).rejects(awsError('ResourceNotFoundException'));
    expect(await delivery().withdraw(SCHOOL)).toEqual({ location: NAME, existed: false });

    sm.reset();
    const marked = "You can't perform this operation on the secret because it was marked for deletion.";
    sm.on(DeleteSecretCommand).rejects(awsError('InvalidRequestException', marked));
    expect(await delivery().withdraw(SCHOOL)).toEqual({ location: NAME, existed: false });

    sm.reset();
    sm.on(DeleteSecretCommand).rejects(awsError('InvalidRequestException', 'something else'));
    await expect(delivery().withdraw(SCHOOL)).rejects.toMatchObject({ permanent: true });
  });
  it('lists the secrets under the prefix page by page, with the owner and school from their tags', async () => {
    const other = 'scs/schools-archive/x'; // matched by the name filter's prefix, but not under `<prefix>/`
    sm.on(ListSecretsCommand, { NextToken: undefined })
      .resolves({
        SecretList: [
          {
            Name: NAME,
            Tags: [
              { Key: 'scs/owner', Value: 'scs-test' },
              { Key: 'scs/school', Value: SCHOOL.id },
            ],
          },
          { Name: other, Tags: [] },
        ],
        NextToken: 'page-2',
      })
      .on(ListSecretsCommand, { NextToken: 'page-2' })
      .resolves({ SecretList: [{ Name: 'scs/schools/made-by-hand' }] });
    expect(await delivery().listDelivered()).toEqual([
      { location: NAME, owner: 'scs-test', school: { id: SCHOOL.id, slug: '' } },
      { location: 'scs/schools/made-by-hand' },
    ]);
    const filter = { Filters: [{ Key: 'name', Values: ['scs/schools/'] }] };
    expect(sent()).toEqual([
      ['ListSecretsCommand', { ...filter, NextToken: undefined }],
      ['ListSecretsCommand', { ...filter, NextToken: 'page-2' }],
    ]);
  });
});
