export interface WelcomeEmail {
  schoolId: string;
  schoolName: string;
  slug: string;
  to: string;
  loginUrl: string;
}

export interface Mailer {
  readonly name: string;
  /** Sends the welcome email; the message id is derived from the school id, so a resend is recognisable. */
  sendWelcome(mail: WelcomeEmail): Promise<{ messageId: string }>;
}

export const MAILER = Symbol('Mailer');
