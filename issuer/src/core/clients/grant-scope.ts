import type { ClientRecord } from './client-record.ts'
import { isScopeToken } from './client-record.ts'

/**
 * The scope reserved for the issuer's own account endpoints (`/auth/sessions`, `/auth/logout-all`).
 * A token granted it is audienced to the issuer alone, so no downstream API accepts it, and no
 * token meant for a downstream API is accepted by those endpoints.
 */
export const ACCOUNT_SCOPE = 'account'

const MAX_SCOPE_CHARS = 1024

/**
 * The standard scopes of OpenID Connect Core §5.4 and §11. A client that asks for one it is not
 * registered for at `/oauth/authorize` is granted the rest (RFC 6749 §3.3 lets the server grant
 * less, and the token response's `scope` says so): libraries ask for `openid profile email` by
 * default, and refusing the whole request for that would turn a missing claim into a failed login.
 */
export const OPENID_STANDARD_SCOPES: readonly string[] = [
  'profile',
  'email',
  'address',
  'phone',
  'offline_access',
]

export type ScopeDecision = { ok: true; scope: string[] } | { ok: false; reason: string }

/**
 * RFC 6749 §3.3: the scope granted for a request. Absent: every scope the client is allowed
 * (its pre-defined default), never the reserved account scope, which must be asked for, alone.
 * Present: each token must be allowed to the client; `account` only to first-party clients.
 * `dropUnregistered`: scopes left out, not refused, when the client is not registered for them.
 */
export function grantScope(
  requested: string | undefined,
  client: ClientRecord,
  opts: { dropUnregistered?: readonly string[] } = {},
): ScopeDecision {
  if (requested === undefined) return { ok: true, scope: client.scopes.filter((s) => s !== ACCOUNT_SCOPE) }
  if (requested.length > MAX_SCOPE_CHARS) return { ok: false, reason: 'The scope is too long.' }
  const tokens = requested.split(' ').filter((s) => s.length > 0)
  const scope: string[] = []
  for (const token of tokens) {
    if (!isScopeToken(token)) return { ok: false, reason: 'The scope is malformed.' }
    const allowed = token === ACCOUNT_SCOPE ? client.firstParty : client.scopes.includes(token)
    if (!allowed && opts.dropUnregistered?.includes(token)) continue
    // The scope is not named back: an error description never echoes what the request sent.
    if (!allowed) return { ok: false, reason: 'A requested scope is not allowed for this client.' }
    if (!scope.includes(token)) scope.push(token)
  }
  if (scope.includes(ACCOUNT_SCOPE) && scope.length > 1) {
    return { ok: false, reason: `The scope ${ACCOUNT_SCOPE} must be asked for alone.` }
  }
  return { ok: true, scope }
}

/** RFC 6749 §6: a refresh may narrow the scope of its session, never widen it. */
export function narrowScope(requested: string | undefined, granted: readonly string[]): ScopeDecision {
  if (requested === undefined) return { ok: true, scope: [...granted] }
  if (requested.length > MAX_SCOPE_CHARS) return { ok: false, reason: 'The scope is too long.' }
  const scope: string[] = []
  for (const token of requested.split(' ').filter((s) => s.length > 0)) {
    if (!isScopeToken(token)) return { ok: false, reason: 'The scope is malformed.' }
    if (!granted.includes(token))
      return { ok: false, reason: 'A requested scope was not granted to this session.' }
    if (!scope.includes(token)) scope.push(token)
  }
  return { ok: true, scope }
}
