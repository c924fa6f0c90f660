import { InsufficientUserAuthenticationError } from '../errors.ts'
import { parseWwwAuthenticate } from './www-authenticate.ts'

const MAX_AGE = /^[0-9]{1,15}$/

/**
 * The RFC 9470 section 3 challenge of a `WWW-Authenticate` field, as the error the token clients
 * throw: the first Bearer challenge with `error="insufficient_user_authentication"`, its
 * `acr_values` split on spaces and its `max_age` when it is a whole number. Undefined when the
 * field has no such challenge.
 */
export function stepUpChallengeOf(field: string | null): InsufficientUserAuthenticationError | undefined {
  if (field === null) return undefined
  for (const { scheme, params } of parseWwwAuthenticate(field)) {
    if (scheme !== 'bearer' || params.get('error') !== 'insufficient_user_authentication') continue
    const acrValues = (params.get('acr_values') ?? '').split(/[ \t]+/).filter((v) => v !== '')
    const maxAge = params.get('max_age')
    return new InsufficientUserAuthenticationError(
      acrValues,
      maxAge !== undefined && MAX_AGE.test(maxAge) ? Number(maxAge) : undefined,
    )
  }
  return undefined
}
