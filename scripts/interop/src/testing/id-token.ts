// An ID token as a careful relying party checks it (OpenID Connect Core §3.1.3.7): signature by a
// key of the issuer's JWKS, `iss`, `aud`, `exp`, RS256 and `typ: JWT`. Used beside each library's
// own checks, since some (oidc-client-ts, passport-openidconnect) skip the signature.
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose'

export async function verifyIdToken(
  issuerUrl: string,
  idToken: string,
  clientId: string,
): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(`${issuerUrl}/.well-known/jwks.json`))
  const { payload } = await jwtVerify(idToken, jwks, {
    issuer: issuerUrl,
    audience: clientId,
    algorithms: ['RS256'],
    typ: 'JWT',
  })
  return payload
}
