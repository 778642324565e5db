import { createTransport } from 'nodemailer';
import { welcomeMessageId, type Mailer, type WelcomeEmail } from '../../../ports/mailer.port.js';
import { StepError } from '../../../ports/step-error.js';
import { renderWelcomeEmail } from '../welcome-template.js';

export interface SmtpMailerOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
  url: string;
  from: string;
  tls?: { rejectUnauthorized?: boolean };
}

/** Without these a relay that accepts the connection and then stalls would hold the step forever. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** `smtp` mail: the welcome email through any SMTP relay (Postfix, Mailpit, a provider's submission port). */
export class SmtpMailer implements Mailer {
  readonly name = 'smtp';
  private readonly transport: ReturnType<typeof createTransport>;
  private readonly host: string;

  constructor(private readonly options: SmtpMailerOptions) {
    const url = new URL(options.url);
    this.host = `${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`;
    this.transport = createTransport({ url: options.url, ...TIMEOUTS, tls: options.tls });
  }

  async sendWelcome(mail: WelcomeEmail): Promise<{ messageId: string }> {
    const { subject, text, html } = renderWelcomeEmail(mail);
    // Derived from the school, so a resend after a crash carries the same Message-ID and reads as a duplicate.
    const messageId = welcomeMessageId(mail);
    try {
      await this.transport.sendMail({ from: this.options.from, to: mail.to, subject, text, html, messageId });
    } catch (error) {
      throw this.classify(error);
    }
    return { messageId };
  }

  private classify(error: unknown): StepError {
    const { responseCode, response, message } = (error ?? {}) as {
      responseCode?: number;
      response?: string;
      message?: string;
    };
    const detail = `SMTP ${this.host}: ${(response ?? message ?? String(error)).trim()}`;
    // 5xx is the relay's final answer (unknown mailbox, refused sender, bad credentials); 4xx and a lost
    // connection may pass, so the process manager retries them.
    if (typeof responseCode === 'number' && responseCode >= 500) return StepError.permanent(detail, error);
    return StepError.transient(detail, error);
  }
}
