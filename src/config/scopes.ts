/**
 * What an API key may do. A key lists some of these (`SCS_API_KEYS=id:secret:schools:read+reports:read`);
 * a key that lists none has them all. `operate` covers servers, moves, rollouts and secrets (the CLI's
 * today), `webhooks:manage` the webhook endpoints, `events:read` the live event stream.
 */
export const SCOPES = [
  'schools:read',
  'schools:write',
  'schools:delete',
  'reports:read',
  'audit:read',
  'credentials:read',
  'webhooks:manage',
  'events:read',
  'operate',
] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** What a list after a key's secret looks like: `scope+scope`, each `word` or `word:word`. */
const SCOPE_LIST = /^[a-z]+(?::[a-z]+)?(?:\+[a-z]+(?::[a-z]+)?)*$/;

/**
 * Splits `secret` or `secret:scope+scope` (the part after a key's id). The scopes start at the first `:`
 * whose remainder has a scope list's shape, so a secret of hex or base64 (no `:`) is never misread; a
 * misspelt scope is reported, never taken as part of the secret (which would give the key every scope).
 */
export function splitScopes(rest: string): { secret: string; scopes?: string[] } {
  for (let at = rest.indexOf(':'); at >= 0; at = rest.indexOf(':', at + 1)) {
    const tail = rest.slice(at + 1);
    if (SCOPE_LIST.test(tail)) return { secret: rest.slice(0, at), scopes: tail.split('+') };
  }
  return { secret: rest };
}
