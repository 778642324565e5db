import { isUtf8 } from 'node:buffer';

/**
 * What is wrong with a text input's bytes, or undefined when it is UTF-8 without NUL. PostgreSQL refuses
 * a NUL in text (a 500 once); bytes that are not UTF-8 would reach it as U+FFFD, silently changed.
 */
export function textFault(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return 'contains a NUL character';
  if (!isUtf8(bytes)) return 'is not UTF-8';
  return undefined;
}

/**
 * The bytes a part of a URL stands for: `%XX` decoded, other characters as the bytes Node read them from
 * (it gives the request line's bytes as Latin-1 characters).
 */
export function percentBytes(raw: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const hex = raw.charCodeAt(i) === 0x25 ? raw.slice(i + 1, i + 3) : '';
    if (/^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(raw.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes);
}

/**
 * Where the first bytes of `raw` that are not UTF-8 are in `text` (`raw` decoded with replacements, as
 * body-parser decodes it), or -1 when there are none: a U+FFFD that `raw` does not spell itself.
 */
export function firstNotUtf8(raw: Buffer, text: string): number {
  if (isUtf8(raw)) return -1;
  let byte = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    if (code === 0xfffd && !(raw[byte] === 0xef && raw[byte + 1] === 0xbf && raw[byte + 2] === 0xbd)) return i;
    byte += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code >= 0x10000) i++;
  }
  return text.length;
}
