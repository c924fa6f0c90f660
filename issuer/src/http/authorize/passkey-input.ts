import type { AuthorizationParams } from '../../core/authorization/check-authorization-request.ts'
import { isCredentialJson } from '../credential-json.ts'
import { single } from './raw-params.ts'

/** A WebAuthn answer is a few kilobytes of JSON; anything bigger is refused unread. */
const MAX_PASSKEY_RESPONSE_CHARS = 16384

/** The passkey form's fields: the challenge's id and the browser's credential JSON, or null. */
export function passkeyInputOf<T>(params: AuthorizationParams): { challengeId: string; response: T } | null {
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
  let response: unknown
  try {
    response = JSON.parse(text)
  } catch {
    return null
  }
  return isCredentialJson(response) ? { challengeId, response: response as T } : null
}
