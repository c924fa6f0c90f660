// The `claims` request parameter (OpenID Connect Core §5.5): a JSON object asking for individual
// claims in the ID token and at the userinfo endpoint, each `null` or `{essential, value, values}`.
// Only the claims of scopes the client is registered for are taken; others are ignored, as §5.5.1
// lets a server do with claims it does not release (an essential claim not returned is no error).
import type { RequestedClaims } from '../authorization/authorization-code-collection.ts'
import { scopeOfClaim } from './scope-claims.ts'

const MAX_CHARS = 4096
const PLACES = [
  ['id_token', 'idToken'],
  ['userinfo', 'userinfo'],
] as const

export type ClaimsParameter = { ok: true; claims: RequestedClaims | null } | { ok: false; reason: string }

/** Parses the parameter; `registeredScopes`: the client's, which bound what it may be given. */
export function parseClaimsParameter(
  text: string | null,
  registeredScopes: readonly string[],
): ClaimsParameter {
  if (text === null) return { ok: true, claims: null }
  const malformed = {
    ok: false,
    reason: 'The claims parameter must be a JSON object (OpenID Connect Core 5.5).',
  } as const
  if (text.length > MAX_CHARS) return { ok: false, reason: 'The claims parameter is too long.' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return malformed
  }
  if (!isObject(value)) return malformed
  const claims: RequestedClaims = { idToken: [], userinfo: [] }
  for (const [member, place] of PLACES) {
    const requests = value[member]
    if (requests === undefined || requests === null) continue
    if (!isObject(requests)) return malformed
    for (const [name, request] of Object.entries(requests)) {
      // §5.5.1: null (default) or an object with `essential`, `value` or `values`.
      if (request !== null && !isObject(request)) return malformed
      const scope = scopeOfClaim(name)
      if (scope !== null && registeredScopes.includes(scope) && !claims[place].includes(name)) {
        claims[place].push(name)
      }
    }
  }
  return { ok: true, claims: claims.idToken.length + claims.userinfo.length === 0 ? null : claims }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
