import { compactVerify, createLocalJWKSet } from 'jose'
import type { KeyRing } from '../../keys/key-ring.ts'
import type { Clock } from '../clock.ts'
import { ID_TOKEN_TYP } from './id-token-signer.ts'

export interface IdTokenHint {
  sub: string
  clientId: string
  sid: string | null
}

const MAX_HINT_CHARS = 8192

/**
 * OpenID Connect RP-Initiated Logout 1.0 §2: an `id_token_hint` this issuer signed, for one of
 * its clients; expired is fine (the RP logs out after the token's lifetime). Null for anything
 * else: a key no longer published, another issuer, another `typ`, a malformed token.
 */
export async function readIdTokenHint(
  hint: string,
  deps: { keyRing: KeyRing; issuer: string; clock: Clock },
): Promise<IdTokenHint | null> {
  if (hint.length > MAX_HINT_CHARS) return null
  try {
    const keys = createLocalJWKSet(deps.keyRing.jwks(deps.clock()))
    const { payload, protectedHeader } = await compactVerify(hint, keys, {
      algorithms: ['RS256', 'ES256', 'EdDSA'],
    })
    if (protectedHeader.typ !== ID_TOKEN_TYP) return null
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
    if (claims.iss !== deps.issuer || typeof claims.sub !== 'string' || typeof claims.aud !== 'string')
      return null
    return { sub: claims.sub, clientId: claims.aud, sid: typeof claims.sid === 'string' ? claims.sid : null }
  } catch {
    return null
  }
}
