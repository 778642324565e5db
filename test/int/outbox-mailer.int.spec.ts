import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WelcomeEmail } from '../../src/ports/mailer.port.js';
import { OutboxMailer } from '../../src/adapters/mail/outbox/outbox-mailer.js';
import { renderWelcomeEmail } from '../../src/adapters/mail/welcome-template.js';

interface ParsedMail {
  raw: string;
  headers: Map<string, string>;
  parts: Array<{ headers: Map<string, string>; body: string }>;
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** Decodes RFC 2047 B-encoded words; whitespace between adjacent encoded words is dropped (RFC 2047 §6.2). */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

function parseEml(raw: string): ParsedMail {
  expect(raw).not.toMatch(/[^\r]\n/); // every line ends in CRLF
  const split = raw.indexOf('\r\n\r\n');
  const headers = parseHeaders(raw.slice(0, split));
  const boundary = /boundary="([^"]+)"/.exec(headers.get('content-type') ?? '')?.[1];
  expect(boundary).toBeDefined();
  const body = raw.slice(split + 4);
  expect(body).toContain(`\r\n--${boundary}--\r\n`);
  const sections = body.split(`--${boundary}`).slice(1, -1);
  const parts = sections.map((section) => {
    const text = section.replace(/^\r\n/, '');
    const end = text.indexOf('\r\n\r\n');
    const partHeaders = parseHeaders(text.slice(0, end));
    expect(partHeaders.get('content-transfer-encoding')).toBe('base64');
    const lines = text
      .slice(end + 4)
      .split('\r\n')
      .filter(Boolean);
    expect(lines.every((l) => l.length <= 76)).toBe(true);
    return { headers: partHeaders, body: Buffer.from(lines.join(''), 'base64').toString('utf8') };
  });
  return { raw, headers, parts };
}

let root: string;
const mail = (over: Partial<WelcomeEmail> = {}): WelcomeEmail => ({
  schoolId: randomUUID(),
  schoolName: 'Greenwood High',
  slug: 'greenwood',
  to: 'admin@greenwood.example',
  loginUrl: 'https://greenwood.syncad.in/login',
  ...over,
});

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'scs-outbox-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('OutboxMailer', () => {
  it('writes the welcome email as an .eml file in a folder it creates', async () => {
    const dir = join(root, 'plain', 'outbox');
    const now = new Date('2026-11-24T10:00:00.123Z');
    const mailer = new OutboxMailer({ dir, from: 'Syncad <no-reply@syncad.in>', clock: { now: () => now } });
    const message = mail();
    const { messageId } = await mailer.sendWelcome(message);
    expect(messageId).toBe(`<welcome-${message.schoolId}@scs.local>`);

    const files = readdirSync(dir);
    expect(files).toEqual([`2026-11-24T10-00-00-123Z-welcome-${message.schoolId}.eml`]);
    const eml = parseEml(readFileSync(join(dir, files[0]), 'utf8'));
    expect(eml.headers.get('from')).toBe('"Syncad" <no-reply@syncad.in>');
    expect(eml.headers.get('to')).toBe('admin@greenwood.example');
    expect(decodeWords(eml.headers.get('subject')!)).toBe('Welcome to Syncad, Greenwood High');
    expect(eml.headers.get('date')).toBe('Tue, 24 Nov 2026 10:00:00 +0000');
    expect(eml.headers.get('message-id')).toBe(messageId);
    expect(eml.headers.get('mime-version')).toBe('1.0');
    expect(eml.headers.get('content-type')).toMatch(/^multipart\/alternative; boundary="/);

    expect(eml.parts.map((p) => p.headers.get('content-type'))).toEqual([
      'text/plain; charset=UTF-8',
      'text/html; charset=UTF-8',
    ]);
    const [text, html] = eml.parts.map((p) => p.body);
    expect(text).toContain('Greenwood High is ready on Syncad.');
    expect(text).toContain('https://greenwood.syncad.in/login');
    expect(text).toContain('— The Syncad team'); // UTF-8 survives the round trip
    expect(html).toContain('<strong>Greenwood High</strong>');
    expect(html).toContain('<a href="https://greenwood.syncad.in/login">');
  });

  it('escapes a hostile school name in HTML and encodes non-ASCII headers per RFC 2047', async () => {
    const dir = join(root, 'hostile');
    const mailer = new OutboxMailer({ dir, from: 'Syncad Schüler-Team <no-reply@syncad.in>' });
    const schoolName = `<script>alert("x")</script> & Vidyālaya मराठी शाळा\r\nBcc: victim@example.com`;
    await mailer.sendWelcome(mail({ schoolName }));
    const [file] = readdirSync(dir);
    const eml = parseEml(readFileSync(join(dir, file), 'utf8'));

    expect([...eml.headers.keys()]).not.toContain('bcc'); // no header injection through the name
    const subject = eml.headers.get('subject')!;
    expect(subject).toMatch(/^[\x20-\x7e]*$/);
    expect(subject).toContain('=?UTF-8?B?');
    expect(decodeWords(subject)).toBe(
      `Welcome to Syncad, <script>alert("x")</script> & Vidyālaya मराठी शाळा Bcc: victim@example.com`,
    );
    const rawSubjectLines = eml.raw.slice(0, eml.raw.indexOf('\r\n\r\n')).split('\r\n');
    expect(rawSubjectLines.every((l) => l.length <= 78)).toBe(true);
    expect(eml.headers.get('from')).toMatch(/^=\?UTF-8\?B\?[^?]+\?= <no-reply@syncad\.in>$/);
    expect(decodeWords(eml.headers.get('from')!)).toBe('Syncad Schüler-Team <no-reply@syncad.in>');

    const html = eml.parts[1].body;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Vidyālaya मराठी शाळा');
    expect(eml.parts[0].body).toContain('<script>alert("x")</script>'); // plain text is not HTML
  });

  it('replaces the earlier file on a resend instead of adding a second one', async () => {
    const dir = join(root, 'resend');
    let now = new Date('2026-11-24T10:00:00.000Z');
    const mailer = new OutboxMailer({ dir, from: 'no-reply@syncad.in', clock: { now: () => now } });
    const message = mail();
    const other = mail({ schoolName: 'Oak Primary' });
    await mailer.sendWelcome(message);
    await mailer.sendWelcome(other);
    now = new Date('2026-11-25T08:30:00.000Z');
    const resent = await mailer.sendWelcome({ ...message, schoolName: 'Greenwood High School' });
    expect(resent.messageId).toBe(`<welcome-${message.schoolId}@scs.local>`);

    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(mailer.filesFor(message.schoolId)).toEqual([`2026-11-25T08-30-00-000Z-welcome-${message.schoolId}.eml`]);
    expect(mailer.filesFor(other.schoolId)).toHaveLength(1);
    const eml = parseEml(readFileSync(join(dir, mailer.filesFor(message.schoolId)[0]), 'utf8'));
    expect(eml.headers.get('from')).toBe('no-reply@syncad.in');
    expect(eml.parts[0].body).toContain('Greenwood High School is ready');
  });

  it('leaves one file for a school after many resends, and no temp files', async () => {
    const dir = join(root, 'concurrent');
    let tick = Date.parse('2026-11-24T10:00:00.000Z');
    const mailer = new OutboxMailer({ dir, from: 'no-reply@syncad.in', clock: { now: () => new Date(tick++) } });
    const message = mail();
    await Promise.all(Array.from({ length: 6 }, () => mailer.sendWelcome(message)));
    expect(readdirSync(dir)).toEqual(mailer.filesFor(message.schoolId));
    expect(mailer.filesFor(message.schoolId)).toHaveLength(1);
  });

  it('refuses a school id that is not a UUID, since it becomes part of a file name', async () => {
    const mailer = new OutboxMailer({ dir: join(root, 'refused'), from: 'no-reply@syncad.in' });
    await expect(mailer.sendWelcome(mail({ schoolId: '../../etc/passwd' }))).rejects.toEqual(
      expect.objectContaining({ permanent: true }),
    );
  });
});

describe('renderWelcomeEmail', () => {
  it('links only http(s) login URLs and escapes every interpolated value', () => {
    const { html, subject } = renderWelcomeEmail(mail({ loginUrl: 'javascript:alert(1)', to: 'a"b@x.example' }));
    expect(html).not.toContain('href=');
    expect(html).toContain('a&quot;b@x.example');
    expect(subject).toBe('Welcome to Syncad, Greenwood High');
  });
});
