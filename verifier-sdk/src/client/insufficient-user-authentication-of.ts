import type { InsufficientUserAuthenticationError } from '../errors.ts'
import { stepUpChallengeOf } from './step-up-challenge.ts'

/**
 * The step-up an API's answer asks for: an InsufficientUserAuthenticationError (not thrown) when
 * `response` is a 401 with the RFC 9470 section 3 challenge, else undefined. For apps that call
 * APIs with a fetch of their own (an OpenID Connect library's tokens); the token clients' `fetch`
 * throws the same error by itself. The body is left unread.
 */
export function insufficientUserAuthenticationOf(
  response: Pick<Response, 'status' | 'headers'>,
): InsufficientUserAuthenticationError | undefined {
  if (response.status !== 401) return undefined
  return stepUpChallengeOf(response.headers.get('www-authenticate'))
}
