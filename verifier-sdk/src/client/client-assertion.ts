import { randomBytes } from 'node:crypto'
import { signCompactJws } from '../jws/sign-compact-jws.ts'
import type { AssertionKey } from './assertion-key.ts'

/** RFC 7523 section 2.2: the `client_assertion_type` of a JWT assertion. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** How long an assertion is good for: one request's worth, so a captured one is soon useless. */
const ASSERTION_LIFETIME_SEC = 60

/**
 * A fresh `private_key_jwt` client assertion (RFC 7523 section 3): `iss` and `sub` the client,
 * `aud` the token endpoint, a random `jti` (the issuer refuses a replay), expiring in a minute.
 */
export function createClientAssertion(
  signer: AssertionKey,
  clientId: string,
  tokenEndpoint: string,
  nowMs: number,
): Promise<string> {
  const now = Math.floor(nowMs / 1000)
  return signCompactJws(
    signer.alg,
    signer.key,
    { typ: 'JWT', ...(signer.kid === undefined ? {} : { kid: signer.kid }) },
    {
      iss: clientId,
      sub: clientId,
      aud: tokenEndpoint,
      iat: now,
      exp: now + ASSERTION_LIFETIME_SEC,
      jti: randomBytes(16).toString('base64url'),
    },
  )
}
