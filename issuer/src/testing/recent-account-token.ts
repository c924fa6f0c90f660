// A stand-in until access tokens carry `auth_time` (stream H2): an account-scoped access token for
// an existing session, signed with the issuer's current key, with the `auth_time` a recent sign-in
// would give it. Only tests use it; the issuer's verifier accepts it as one of its own.
import { randomUUID } from 'node:crypto'
import { ACCESS_TOKEN_TYP } from '../core/tokens/access-token-signer.ts'
import { compactJwsSigner } from '../core/tokens/compact-jws-signer.ts'
import type { KeyRing } from '../keys/key-ring.ts'

export async function recentAccountToken(input: {
  keyRing: KeyRing
  issuerUrl: string
  userId: string
  sessionId: string
  clientId: string
  now: number
  /** When the sign-in was (ms); default `now`. */
  authTime?: number
}): Promise<string> {
  const signing = input.keyRing.signingKey(input.now)
  const sign = compactJwsSigner(signing.alg, signing.privateKey, {
    alg: signing.alg,
    kid: signing.kid,
    typ: ACCESS_TOKEN_TYP,
  })
  const iat = Math.floor(input.now / 1000)
  return sign(
    JSON.stringify({
      iss: input.issuerUrl,
      sub: input.userId,
      aud: input.issuerUrl,
      iat,
      exp: iat + 600,
      jti: randomUUID(),
      client_id: input.clientId,
      sid: input.sessionId,
      roles: [],
      scope: 'account',
      auth_time: Math.floor((input.authTime ?? input.now) / 1000),
    }),
  )
}
