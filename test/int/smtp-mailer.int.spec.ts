import { StepError } from '../../src/ports/step-error.js';
import { SmtpMailer } from '../../src/adapters/mail/smtp/smtp-mailer.js';
import { decodeQuotedPrintable, freePort, startSmtpReceiver, type SmtpReceiver } from '../support/self-hosted.js';

const welcome = (to: string) => ({
  schoolId: '7d1c2e4a-3b5f-4c6d-8e9f-0a1b2c3d4e5f',
  schoolName: 'Greenwood <High> School',
  slug: 'greenwood',
  to,
  loginUrl: 'https://greenwood.syncad.in/login',
});

async function rejection(promise: Promise<unknown>): Promise<StepError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StepError);
  return error as StepError;
}

/** The headers of a raw message, unfolded, by lowercase name. */
function headers(raw: string): Record<string, string> {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  return Object.fromEntries(
    head
      .split('\r\n')
      .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
}

describe('SmtpMailer against a real SMTP server', () => {
  let receiver: SmtpReceiver;
  let mailer: SmtpMailer;

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    mailer = new SmtpMailer({
      url: `smtp://scs:secret@127.0.0.1:${receiver.port}`,
      from: 'Syncad <no-reply@syncad.test>',
    });
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  it('delivers the welcome email with text and HTML parts and the school-derived Message-ID', async () => {
    const result = await mailer.sendWelcome(welcome('principal@greenwood.test'));

    expect(result.messageId).toBe('<welcome-7d1c2e4a-3b5f-4c6d-8e9f-0a1b2c3d4e5f@scs.local>');
    expect(receiver.messages).toHaveLength(1);
    const [mail] = receiver.messages;
    expect(mail.user).toBe('scs');
    expect(mail.from).toBe('no-reply@syncad.test');
    expect(mail.to).toEqual(['principal@greenwood.test']);
    const h = headers(mail.raw);
    expect(h['message-id']).toBe(result.messageId);
    expect(h.from).toBe('Syncad <no-reply@syncad.test>');
    expect(h.to).toBe('principal@greenwood.test');
    expect(h.subject).toBe('Welcome to Syncad, Greenwood <High> School');
    expect(h['content-type']).toMatch(/^multipart\/alternative/);
    const body = decodeQuotedPrintable(mail.raw);
    expect(body).toMatch(/Content-Type: text\/plain[\s\S]*Greenwood <High> School is ready on Syncad/);
    expect(body).toMatch(/Content-Type: text\/html[\s\S]*<strong>Greenwood &lt;High&gt; School<\/strong>/);
    expect(body).toContain('<a href="https://greenwood.syncad.in/login">');
  });

  it('classifies a 550 for the recipient as permanent', async () => {
    receiver.rejectRecipient('nobody@greenwood.test', 550, 'No such user here');
    const error = await rejection(mailer.sendWelcome(welcome('nobody@greenwood.test')));
    expect(error.permanent).toBe(true);
    expect(error.message).toMatch(/550/);
  });

  it('classifies a 451 for the recipient as transient', async () => {
    receiver.rejectRecipient('later@greenwood.test', 451, 'Try again later');
    const error = await rejection(mailer.sendWelcome(welcome('later@greenwood.test')));
    expect(error.permanent).toBe(false);
    expect(error.message).toMatch(/451/);
  });

  it('classifies refused credentials (535) as permanent', async () => {
    const wrong = new SmtpMailer({ url: `smtp://scs:wrong@127.0.0.1:${receiver.port}`, from: 'no-reply@syncad.test' });
    expect((await rejection(wrong.sendWelcome(welcome('principal@greenwood.test')))).permanent).toBe(true);
  });

  it('classifies a server that is down as transient', async () => {
    const down = new SmtpMailer({
      url: `smtp://scs:secret@127.0.0.1:${await freePort()}`,
      from: 'no-reply@syncad.test',
    });
    const error = await rejection(down.sendWelcome(welcome('principal@greenwood.test')));
    expect(error.permanent).toBe(false);
    expect(error.message).toMatch(/ECONNREFUSED|connect/i);
  });
});
