import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { SesMailer } from '../../src/adapters/mail/ses/ses-mailer.js';

const awsError = (name: string, status: number) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
const mail = {
  schoolId: '7d2f3a64-9a41-4c2e-9a57-5a0c1b2d3e4f',
  schoolName: 'Greenwood <High>',
  slug: 'greenwood',
  to: 'admin@greenwood.example',
  loginUrl: 'https://greenwood.syncad.in/',
};

describe('SesMailer at the SDK boundary', () => {
  const ses = mockClient(SESv2Client);
  const mailer = () =>
    new SesMailer({
      client: new SESv2Client({ region: 'ap-south-1', maxAttempts: 1 }),
      from: 'welcome@syncad.in',
      retry: { attempts: 3, baseDelayMs: 10 },
      sleep: async () => undefined,
    });

  beforeEach(() => ses.reset());

  it('sends the welcome email with both parts, tagged with the school', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-123' });
    expect(await mailer().sendWelcome(mail)).toEqual({ messageId: 'ses-123' });
    const input = ses.commandCalls(SendEmailCommand)[0].args[0].input;
    expect(input).toMatchObject({
      FromEmailAddress: 'welcome@syncad.in',
      Destination: { ToAddresses: ['admin@greenwood.example'] },
      EmailTags: [
        { Name: 'scs-school-id', Value: mail.schoolId },
        { Name: 'scs-mail', Value: 'welcome' },
      ],
    });
    const simple = input.Content!.Simple!;
    expect(simple.Subject).toEqual({ Data: 'Welcome to Syncad, Greenwood <High>', Charset: 'UTF-8' });
    expect(simple.Body!.Text!.Data).toContain('https://greenwood.syncad.in/');
    expect(simple.Body!.Html!.Data).toContain('Greenwood &lt;High&gt;');
  });

  it('retries throttling, then succeeds', async () => {
    ses.on(SendEmailCommand).rejectsOnce(awsError('TooManyRequestsException', 429)).resolves({ MessageId: 'ses-456' });
    expect(await mailer().sendWelcome(mail)).toEqual({ messageId: 'ses-456' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  it('fails permanently on a rejected message, saying what the sandbox needs', async () => {
    ses.on(SendEmailCommand).rejects(awsError('MessageRejected', 400));
    await expect(mailer().sendWelcome(mail)).rejects.toMatchObject({
      permanent: true,
      message: expect.stringMatching(/sandbox/),
    });
  });

  it('fails transiently when SES keeps failing with 5xx', async () => {
    ses.on(SendEmailCommand).rejects(awsError('InternalFailure', 500));
    await expect(mailer().sendWelcome(mail)).rejects.toMatchObject({ permanent: false });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
  });
});
