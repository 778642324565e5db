import type { WelcomeEmail } from '../../ports/mailer.port.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** The welcome email's subject and parts, shared by every mail provider (outbox, SES, SMTP). */
export function renderWelcomeEmail(mail: WelcomeEmail): { subject: string; text: string; html: string } {
  // The school name is user input: keep it on one line in the subject, escape it everywhere in HTML.
  const name = mail.schoolName.replace(/\s+/g, ' ').trim();
  const back = !!mail.welcomeBack;
  const subject = back ? `Welcome back to Syncad, ${name}` : `Welcome to Syncad, ${name}`;
  const ready = back ? 'is back on Syncad, with its data as it was when it was deleted' : 'is ready on Syncad';
  const text = [
    'Hello,',
    '',
    `${name} ${ready}.`,
    '',
    `Sign in at ${mail.loginUrl} with this email address (${mail.to}) to set your password`,
    'and invite your staff.',
    '',
    '— The Syncad team',
    '',
  ].join('\n');
  // Only http(s) URLs become links: escaping alone would still let a `javascript:` URL through.
  const url = escapeHtml(mail.loginUrl);
  const signIn = /^https?:\/\//i.test(mail.loginUrl) ? `<a href="${url}">${url}</a>` : url;
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: sans-serif">
<p>Hello,</p>
<p><strong>${escapeHtml(name)}</strong> ${ready}.</p>
<p>Sign in at ${signIn} with this email address (${escapeHtml(mail.to)}) to set your password and invite your staff.</p>
<p>— The Syncad team</p>
</body></html>
`;
  return { subject, text, html };
}
