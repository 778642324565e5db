import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer, WelcomeEmail } from '../../../ports/mailer.port.js';
import { StepError } from '../../../ports/step-error.js';
import { realSleep, withAwsRetry } from '../../aws/aws-errors.js';
import { renderWelcomeEmail } from '../welcome-template.js';

/** `ses`: the welcome email through Amazon SES v2, from SES_FROM_EMAIL. */
export class SesMailer implements Mailer {
  readonly name = 'ses';

  constructor(
    private readonly options: {
      client: SESv2Client;
      from: string;
      retry?: { attempts: number; baseDelayMs: number };
      sleep?: (ms: number) => Promise<void>;
    },
  ) {}

  async sendWelcome(mail: WelcomeEmail): Promise<{ messageId: string }> {
    const { subject, text, html } = renderWelcomeEmail(mail);
    const command = new SendEmailCommand({
      FromEmailAddress: this.options.from,
      Destination: { ToAddresses: [mail.to] },
      Content: {
        Simple: {
          Subject: { Data: subject, Charset: 'UTF-8' },
          Body: { Text: { Data: text, Charset: 'UTF-8' }, Html: { Data: html, Charset: 'UTF-8' } },
        },
      },
      EmailTags: [
        { Name: 'scs-school-id', Value: mail.schoolId },
        { Name: 'scs-mail', Value: 'welcome' },
      ],
    });
    try {
      const result = await withAwsRetry(`SES SendEmail to ${mail.to}`, () => this.options.client.send(command), {
        attempts: this.options.retry?.attempts ?? 5,
        baseDelayMs: this.options.retry?.baseDelayMs ?? 500,
        sleep: this.options.sleep ?? realSleep,
      });
      return { messageId: result.MessageId ?? '' };
    } catch (error) {
      if (
        error instanceof StepError &&
        error.permanent &&
        /MessageRejected|NotFound|MailFromDomainNotVerified/.test(error.message)
      ) {
        throw StepError.permanent(
          `${error.message} (in the SES sandbox both sender and recipient must be verified)`,
          error,
        );
      }
      throw error;
    }
  }
}
