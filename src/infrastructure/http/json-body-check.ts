import { createScanner, SyntaxKind } from 'jsonc-parser';

/** No request body SCS takes nests deeper than this; recursive transformers overflow far beyond it. */
export const MAX_JSON_DEPTH = 32;

/** A JSON body SCS refuses before parsing it: too deeply nested, or a member name given twice. */
export class JsonBodyError extends Error {
  /** Read by body-parser (http-errors), so the answer is 400, not its default 403 for `verify`. */
  readonly status = 400;
  readonly type = 'entity.verify.failed';
  constructor(
    readonly reason: 'too-deep' | 'duplicate-member',
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'JsonBodyError';
  }
}

/** An open object (with the member names seen so far) or array, and the member being read. */
type Frame = { keys: Set<string> | undefined; expectKey: boolean; at: string };

/**
 * Scans the raw body token by token (no recursion, so no stack to exhaust) before JSON.parse and
 * class-transformer see it. JSON.parse keeps the last of duplicate members silently, so
 * `{"slug":"../../x","slug":"ok"}` would pass as "ok"; member names are compared decoded
 * (`"sl\u0075g"` is `"slug"`). Malformed JSON is left to JSON.parse, which reports it.
 */
export function checkJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): void {
  const scanner = createScanner(text, true);
  const stack: Frame[] = [];
  const path = (): string =>
    stack
      .map((f) => f.at)
      .filter(Boolean)
      .join('.')
      .slice(0, 64) || '(body)';
  for (let token = scanner.scan(); token !== SyntaxKind.EOF; token = scanner.scan()) {
    const top = stack[stack.length - 1];
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
