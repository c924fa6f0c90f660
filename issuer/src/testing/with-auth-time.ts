// Until access tokens carry `auth_time` themselves (issue 21, stream H2), tests of the routes that
// need a recent sign-in re-sign a real token with the `auth_time` they choose, under the issuer's
// current key: everything else (session, scope, audience) stays the real token's.
import { ACCESS_TOKEN_TYP } from '../core/tokens/access-token-signer.ts'
import { compactJwsSigner } from '../core/tokens/compact-jws-signer.ts'
import type { KeyRing } from '../keys/key-ring.ts'

export async function withAuthTime(
  keyRing: KeyRing,
  token: string,
  authTimeSec: number,
  now: number,
): Promise<string> {
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as object
  const key = keyRing.signingKey(now)
  const signer = compactJwsSigner(key.alg, key.privateKey, {
    alg: key.alg,
    kid: key.kid,
    typ: ACCESS_TOKEN_TYP,
  })
  return signer(JSON.stringify({ ...claims, auth_time: authTimeSec }))
}
