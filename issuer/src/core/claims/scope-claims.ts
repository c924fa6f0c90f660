// The standard claims this issuer can release, by the scope that releases them (OpenID Connect
// Core §5.4). `address` and `phone` are standard scopes too, but users have no such claims, so
// they release nothing and are not offered.

/** OpenID Connect Core §5.4: the claims of each scope that users here can have. */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'updated_at'],
  email: ['email', 'email_verified'],
}

/** The scope that releases `claim`, or null for a claim no scope here releases. */
export function scopeOfClaim(claim: string): string | null {
  for (const [scope, claims] of Object.entries(SCOPE_CLAIMS)) if (claims.includes(claim)) return scope
  return null
}

/** The claim names `scope` releases, in a stable order, each once. */
export function claimsOfScope(scope: readonly string[]): string[] {
  return scope.flatMap((s) => SCOPE_CLAIMS[s] ?? [])
}
