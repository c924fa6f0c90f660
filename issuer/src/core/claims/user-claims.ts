import type { UserRecord } from '../users/user-collection.ts'

/**
 * The values of the standard claims `names` for `user` (OpenID Connect Core §5.1). A claim the
 * user has no value for is left out rather than sent as null (§5.3.2). `sub` is not among them:
 * the caller always sets it.
 */
export function userClaims(
  user: UserRecord,
  names: Iterable<string>,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const name of names) {
    const value = claimValue(user, name)
    if (value !== null) out[name] = value
  }
  return out
}

function claimValue(user: UserRecord, name: string): string | number | boolean | null {
  switch (name) {
    case 'name':
      return user.name
    case 'given_name':
      return user.givenName
    case 'family_name':
      return user.familyName
    case 'preferred_username':
      return user.username
    // §5.1: seconds since the epoch.
    case 'updated_at':
      return Math.floor(user.updatedAt / 1000)
    case 'email':
      return user.email
    // Only meaningful beside an address.
    case 'email_verified':
      return user.email === null ? null : user.emailVerified
    default:
      return null
  }
}
