import { scopeOfClaim } from '../claims/scope-claims.ts'
import type { AuthorizationRequest } from './check-authorization-request.ts'

/**
 * What the user consents to for a request: its scope, and the scopes of the claims it asks for
 * with the `claims` parameter (OpenID Connect Core §5.5), so a claim is never released without the
 * user having allowed its scope (asking for `name` is asking for part of `profile`).
 */
export function consentScopeOf(request: Pick<AuthorizationRequest, 'scope' | 'claims'>): string[] {
  const scope = new Set(request.scope)
  for (const claim of [...(request.claims?.idToken ?? []), ...(request.claims?.userinfo ?? [])]) {
    const implied = scopeOfClaim(claim)
    if (implied !== null) scope.add(implied)
  }
  return [...scope]
}
