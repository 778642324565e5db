export interface WelcomeEmail {
  schoolId: string;
  schoolName: string;
  slug: string;
  to: string;
  loginUrl: string;
  /** A restored school's welcome back (`requestedAt`: its restore's request, which names the message). */
  welcomeBack?: { requestedAt: string };
}

/** The message id a welcome (or a restore's welcome back) goes by: the same for a resend of the same one. */
export function welcomeMessageId(mail: WelcomeEmail): string {
  const back = mail.welcomeBack ? `back-${Date.parse(mail.welcomeBack.requestedAt)}-` : '';
  return `<welcome-${back}${mail.schoolId.toLowerCase()}@scs.local>`;
}

export interface Mailer {
  readonly name: string;
  /** Sends the welcome email; the message id is derived from the school id, so a resend is recognisable. */
  sendWelcome(mail: WelcomeEmail): Promise<{ messageId: string }>;
}

export const MAILER = Symbol('Mailer');
