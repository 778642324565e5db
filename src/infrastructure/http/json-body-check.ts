import { createScanner, SyntaxKind } from 'jsonc-parser';
import { firstNotUtf8 } from './text-input.js';

/** No request body SCS takes nests deeper than this; recursive transformers overflow far beyond it. */
export const MAX_JSON_DEPTH = 32;

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
export function checkJsonBody(text: string, maxDepth = MAX_JSON_DEPTH, notUtf8?: number): void {
  const scanner = createScanner(text, true);
  const stack: Frame[] = [];
  // The members leading to the value being read (those of the `depth` outer frames).
  const path = (depth = stack.length): string =>
    stack
      .slice(0, depth)
      .map((f) => f.at)
      .filter(Boolean)
      .join('.')
      .slice(0, 64) || '(body)';
  for (let token = scanner.scan(); token !== SyntaxKind.EOF; token = scanner.scan()) {
    const top = stack[stack.length - 1];
    if (token === SyntaxKind.StringLiteral) {
      // A member name is named as JSON writes it (a NUL as \u0000), under the object holding it.
      const isKey = top?.keys !== undefined && top.expectKey;
      const field = (value: string) => (isKey ? memberPath(path(stack.length - 1), value) : path());
      checkString(scanner, notUtf8, field);
    }
    if (token === SyntaxKind.OpenBraceToken || token === SyntaxKind.OpenBracketToken) {
      if (stack.length >= maxDepth) {
        // Named by the body's own member that holds it: the path itself would be as long as the nesting.
        const field = stack[0]!.at.slice(0, 64) || '(body)';
        throw new JsonBodyError('too-deep', field, `is nested more than ${maxDepth} levels deep`);
      }
      stack.push({ keys: token === SyntaxKind.OpenBraceToken ? new Set() : undefined, expectKey: true, at: '' });
    } else if (token === SyntaxKind.CloseBraceToken || token === SyntaxKind.CloseBracketToken) {
      stack.pop();
    } else if (top?.keys && top.expectKey && token === SyntaxKind.StringLiteral) {
      const key = scanner.getTokenValue();
      top.at = key;
      if (top.keys.has(key)) {
        throw new JsonBodyError('duplicate-member', path(), 'is given more than once');
      }
      top.keys.add(key);
      top.expectKey = false;
    } else if (top?.keys && token === SyntaxKind.CommaToken) {
      top.expectKey = true;
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
