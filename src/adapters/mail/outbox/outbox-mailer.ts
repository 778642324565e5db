import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../../ports/clock.port.js';
import { welcomeMessageId, type Mailer, type WelcomeEmail } from '../../../ports/mailer.port.js';
import { StepError } from '../../../ports/step-error.js';
import { renderWelcomeEmail } from '../welcome-template.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim();

/**
 * A header text as RFC 2047 encoded-words when it is not short printable ASCII. Each word stays within
 * 75 characters and holds whole characters, as the RFC requires, and words are folded onto new lines.
 */
function encodeHeaderText(value: string, room = 60): string {
  const clean = oneLine(value);
  if (/^[\x20-\x7e]*$/.test(clean) && clean.length <= room && !clean.includes('=?')) return clean;
  const words: string[] = [];
  let chunk = '';
  for (const ch of clean) {
    // 39 bytes of UTF-8 are 52 base64 characters, 64 with `=?UTF-8?B?` and `?=`: a word and a header
    // name such as `Subject: ` fit in the 78 characters a line should keep to.
    if (Buffer.byteLength(chunk + ch, 'utf8') > 39) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** `Name <addr>` with only the display name encoded (RFC 2047 forbids encoded-words in the address). */
function encodeMailbox(mailbox: string): string {
  const match = /^\s*(.*?)\s*<([^<>\s]+)>\s*$/.exec(oneLine(mailbox));
  if (!match) return oneLine(mailbox);
  const [, rawName, address] = match;
  const name = rawName.replace(/^"(.*)"$/, '$1');
  if (!name) return `<${address}>`;
  const phrase = /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : encodeHeaderText(name, 0);
  return `${phrase} <${address}>`;
}

/** RFC 5322 date-time in UTC: `Tue, 24 Nov 2026 10:00:00 +0000`. */
function rfc5322Date(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function base64Body(text: string): string {
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8')
    .toString('base64')
    .replace(/.{1,76}/g, '$&\r\n');
}

/**
 * `outbox`: each welcome email becomes an RFC 5322 .eml file in a folder, named so that `ls` sorts by
 * time. A school has at most one file: a resend writes the new one, then removes the school's older ones.
 */
export class OutboxMailer implements Mailer {
  readonly name = 'outbox';
  private readonly clock: Clock;

  constructor(private readonly options: { dir: string; from: string; clock?: Clock }) {
    this.clock = options.clock ?? systemClock;
  }

  /** The .eml files of one school (normally one), oldest first. */
  filesFor(schoolId: string): string[] {
    const suffix = `-welcome-${schoolId.toLowerCase()}.eml`;
    try {
      return readdirSync(this.options.dir)
        .filter((f) => f.endsWith(suffix))
        .sort();
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return [];
      throw error;
    }
  }

  async sendWelcome(mail: WelcomeEmail): Promise<{ messageId: string }> {
    // The id becomes part of a file name, so anything but a UUID is refused rather than sanitised.
    if (!UUID.test(mail.schoolId))
      throw StepError.permanent(`school id ${JSON.stringify(mail.schoolId)} is not a UUID`);
    const schoolId = mail.schoolId.toLowerCase();
    const now = this.clock.now();
    const messageId = welcomeMessageId(mail);
    const message = this.compose(mail, messageId, now);

    const dir = this.options.dir;
    mkdirSync(dir, { recursive: true });
    const file = `${now.toISOString().replace(/[:.]/g, '-')}-welcome-${schoolId}.eml`;
    const temp = join(dir, `.${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    writeFileSync(temp, message);
    renameSync(temp, join(dir, file));
    // Keep only the newest: concurrent resends each write a file, and all of them agree which one stays.
    const files = this.filesFor(schoolId);
    for (const old of files.slice(0, -1)) rmSync(join(dir, old), { force: true });
    return { messageId };
  }

  private compose(mail: WelcomeEmail, messageId: string, now: Date): string {
    const { subject, text, html } = renderWelcomeEmail(mail);
    const boundary = `=_scs_${randomBytes(10).toString('hex')}`;
    const part = (type: string, body: string) =>
      [
        `--${boundary}`,
        `Content-Type: ${type}; charset=UTF-8`,
        'Content-Transfer-Encoding: base64',
        '',
        base64Body(body),
      ].join('\r\n');
    return [
      `From: ${encodeMailbox(this.options.from)}`,
      `To: ${oneLine(mail.to)}`,
      `Subject: ${encodeHeaderText(subject)}`,
      `Date: ${rfc5322Date(now)}`,
      `Message-ID: ${messageId}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      '',
      part('text/plain', text),
      part('text/html', html),
      `--${boundary}--`,
      '',
    ].join('\r\n');
  }
}
