import { generateKeyPairSync, sign } from 'node:crypto'

export const VERIFY_ISSUER = 'https://id.bench.test'
export const VERIFY_AUDIENCE = 'orders'

/** One key pair and one token, shared by every contender of `pnpm bench verify` (and its HTTP children). */
export interface VerifyFixture {
  jwk: Record<string, unknown>
  pem: string
  token: string
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** RSA-2048, RS256, an access token with the issuer's claims (signed here: the bench needs no issuer). */
export function makeVerifyFixture(): VerifyFixture {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const kid = 'bench-key-1'
  const jwk = {
    ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid,
    alg: 'RS256',
    use: 'sig',
  }
  const now = Math.floor(Date.now() / 1000)
  const header = { alg: 'RS256', kid, typ: 'at+jwt' }
  const payload = {
    iss: VERIFY_ISSUER,
    sub: 'user-42',
    aud: VERIFY_AUDIENCE,
    exp: now + 3600,
    iat: now,
    jti: 'b1f5c0de-0000-4000-8000-000000000042',
    client_id: 'web',
    sid: 'sess-42',
    roles: ['user', 'orders:read'],
  }
  const input = `${b64(header)}.${b64(payload)}`
  const signature = sign('sha256', Buffer.from(input), privateKey).toString('base64url')
  return {
    jwk,
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    token: `${input}.${signature}`,
  }
}
