import type { AuthorizationParams } from '../../core/authorization/check-authorization-request.ts'
import { single } from './raw-params.ts'

/** A WebAuthn answer is a few kilobytes of JSON; anything bigger is refused unread. */
const MAX_PASSKEY_RESPONSE_CHARS = 16384

/** The passkey form's fields: the challenge's id and the browser's JSON answer, or null. */
export function passkeyInputOf(
  params: AuthorizationParams,
): { challengeId: string; response: unknown } | null {
  const challengeId = single(params, 'passkey_challenge') ?? ''
  const text = single(params, 'passkey_response') ?? ''
  if (
    challengeId === '' ||
    challengeId.length > 128 ||
    text === '' ||
    text.length > MAX_PASSKEY_RESPONSE_CHARS
  ) {
    return null
  }
  try {
    return { challengeId, response: JSON.parse(text) }
  } catch {
    return null
  }
}
