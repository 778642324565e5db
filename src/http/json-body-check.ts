import { createScanner, SyntaxKind } from 'jsonc-parser';
import { firstNotUtf8 } from './text-input.js';

/** No request body SCS takes nests deeper than this; recursive transformers overflow far beyond it. */
const MAX_JSON_DEPTH = 32;

/**
 * A JSON body SCS refuses before parsing it: too deeply nested, a member name given twice, or a string
 * that is not UTF-8 or holds a NUL.
 */
export class JsonBodyError extends Error {
  /** Read by body-parser (http-errors), so the answer is 400, not its default 403 for `verify`. */
  readonly status = 400;
  readonly type = 'entity.verify.failed';
  constructor(
    readonly reason: 'too-deep' | 'duplicate-member' | 'invalid-text',
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'JsonBodyError';
  }
}

/** An open object (with the member names seen so far) or array, and the member being read. */
type Frame = { keys: Set<string> | undefined; expectKey: boolean; at: string };

/** The objects and arrays open at the scanner's position, innermost last. */
class OpenValues {
  private readonly stack: Frame[] = [];

  constructor(private readonly maxDepth: number) {}

  get depth(): number {
    return this.stack.length;
  }

  /** The members leading to the value being read (those of the `depth` outer frames). */
  path(depth = this.stack.length): string {
    return (
      this.stack
        .slice(0, depth)
        .map((f) => f.at)
        .filter(Boolean)
        .join('.')
        .slice(0, 64) || '(body)'
    );
  }

  /** Whether the next string is a member name (of the innermost open object). */
  expectsKey(): boolean {
    const top = this.stack[this.stack.length - 1];
    return top?.keys !== undefined && top.expectKey;
  }

  open(isObject: boolean): void {
    if (this.stack.length >= this.maxDepth) {
      // Named by the body's own member that holds it: the path itself would be as long as the nesting.
      const field = this.stack[0]!.at.slice(0, 64) || '(body)';
      throw new JsonBodyError('too-deep', field, `is nested more than ${this.maxDepth} levels deep`);
    }
    this.stack.push({ keys: isObject ? new Set() : undefined, expectKey: true, at: '' });
  }

  close(): void {
    this.stack.pop();
  }

  /** A member name of the innermost object, refused when it was given before. */
  member(key: string): void {
    const top = this.stack[this.stack.length - 1]!;
    top.at = key;
    if (top.keys!.has(key)) throw new JsonBodyError('duplicate-member', this.path(), 'is given more than once');
    top.keys!.add(key);
    top.expectKey = false;
  }

  /** A comma: in an object, a member name comes next. */
  separator(): void {
    const top = this.stack[this.stack.length - 1];
    if (top?.keys) top.expectKey = true;
  }
}

/** `checkJsonBody` of the body's bytes, which must be UTF-8: the string holding the first that are not is named. */
export function checkJsonBytes(raw: Buffer, maxDepth = MAX_JSON_DEPTH): void {
  const text = raw.toString('utf8');
  const notUtf8 = firstNotUtf8(raw, text);
  checkJsonBody(text, maxDepth, notUtf8 < 0 ? undefined : notUtf8);
  if (notUtf8 >= 0) throw new JsonBodyError('invalid-text', '(body)', 'is not UTF-8');
}

/**
 * Scans the raw body token by token (no recursion, so no stack to exhaust) before JSON.parse and
 * class-transformer see it. JSON.parse keeps the last of duplicate members silently, so
 * `{"slug":"../../x","slug":"ok"}` would pass as "ok"; member names are compared decoded
 * (`"sl\u0075g"` is `"slug"`). A string (member name or value) holding a NUL, or the character at
 * `notUtf8` (bytes that were not UTF-8), is refused. Malformed JSON is left to JSON.parse, which reports it.
 */
function checkJsonBody(text: string, maxDepth = MAX_JSON_DEPTH, notUtf8?: number): void {
  const scanner = createScanner(text, true);
  const values = new OpenValues(maxDepth);
  for (let token = scanner.scan(); token !== SyntaxKind.EOF; token = scanner.scan()) {
    if (token === SyntaxKind.StringLiteral) {
      // A member name is named as JSON writes it (a NUL as \u0000), under the object holding it.
      const isKey = values.expectsKey();
      const field = (value: string) => (isKey ? memberPath(values.path(values.depth - 1), value) : values.path());
      checkString(scanner, notUtf8, field);
      if (isKey) values.member(scanner.getTokenValue());
    } else if (token === SyntaxKind.OpenBraceToken || token === SyntaxKind.OpenBracketToken) {
      values.open(token === SyntaxKind.OpenBraceToken);
    } else if (token === SyntaxKind.CloseBraceToken || token === SyntaxKind.CloseBracketToken) {
      values.close();
    } else if (token === SyntaxKind.CommaToken) {
      values.separator();
    }
  }
}

/** Refuses the string token the scanner is on when it holds a NUL or covers the character at `notUtf8`. */
function checkString(
  scanner: ReturnType<typeof createScanner>,
  notUtf8: number | undefined,
  field: (value: string) => string,
): void {
  const start = scanner.getTokenOffset();
  const covers = notUtf8 !== undefined && notUtf8 >= start && notUtf8 < start + scanner.getTokenLength();
  const value = scanner.getTokenValue();
  if (!covers && !value.includes('\0')) return;
  throw new JsonBodyError('invalid-text', field(value), covers ? 'is not UTF-8' : 'contains a NUL character');
}

function memberPath(outer: string, name: string): string {
  const key = JSON.stringify(name).slice(1, -1);
  return (outer === '(body)' ? key : `${outer}.${key}`).slice(0, 64);
}
