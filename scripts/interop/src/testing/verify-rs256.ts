// Checks an RS256 JWS against the issuer's JWKS with node:crypto, for the peers that hand the
// test a token without validating it themselves (requests-oauthlib knows nothing of ID tokens).
// The claims are returned for the test to assert; expiry and audience are the test's to check.
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto'

export function verifyRs256(token: string, jwks: { keys: JsonWebKey[] }): Record<string, unknown> {
  const [header = '', payload = '', signature = ''] = token.split('.')
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown
  const { alg, kid } = decode(header) as { alg?: string; kid?: string }
  if (alg !== 'RS256') throw new Error(`alg ${alg}, not RS256`)
  const jwk = jwks.keys.find((k) => k.kid === kid)
  if (jwk === undefined) throw new Error(`no key ${kid} in the JWKS`)
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature, 'base64url'),
  )
  if (!valid) throw new Error('bad signature')
  return decode(payload) as Record<string, unknown>
}
