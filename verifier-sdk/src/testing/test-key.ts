import { constants, createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'

/** A signing key for tests, with its public JWK (kid = a hash of the public key). */
export interface TestKey {
  readonly kid: string
  readonly alg: string
  readonly privateKey: KeyObject
  readonly publicJwk: Record<string, unknown>
  /** Signs any header and payload (no checks: tests forge bad tokens with it). */
  sign(header: Record<string, unknown>, payload: Record<string, unknown>): string
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function createTestKey(alg: 'RS256' | 'PS256' | 'ES256' | 'EdDSA' = 'RS256', bits = 2048): TestKey {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: bits })
  const jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>
  const kid = createHash('sha256').update(JSON.stringify(jwk)).digest('base64url').slice(0, 22)
  return {
    kid,
    alg,
    privateKey: pair.privateKey,
    publicJwk: { ...jwk, kid, alg, use: 'sig' },
    sign(header, payload) {
      const input = `${b64(header)}.${b64(payload)}`
      const data = Buffer.from(input)
      const signature =
        alg === 'ES256'
          ? sign('sha256', data, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' })
          : alg === 'EdDSA'
            ? sign(null, data, pair.privateKey)
            : alg === 'PS256'
              ? sign('sha256', data, {
                  key: pair.privateKey,
                  padding: constants.RSA_PKCS1_PSS_PADDING,
                  saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
                })
              : sign('sha256', data, pair.privateKey)
      return `${input}.${signature.toString('base64url')}`
    },
  }
}

export const TEST_ISSUER = 'https://id.example.test'
export const TEST_AUDIENCE = 'orders'
/** The tests' fixed "now": 2030-01-01T00:00:00Z. */
export const T0 = Date.UTC(2030, 0, 1)

/** A well-formed access token for `key`, valid at T0, with overrides. `undefined` removes a member. */
export function accessToken(
  key: TestKey,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): string {
  const iat = T0 / 1000
  const payload: Record<string, unknown> = {
    iss: TEST_ISSUER,
    sub: 'user-1',
    aud: TEST_AUDIENCE,
    exp: iat + 900,
    iat,
    jti: 'jti-1',
    client_id: 'cli',
    sid: 'sid-1',
    roles: ['user'],
    ...claims,
  }
  const head: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header }
  for (const object of [payload, head]) {
    for (const name of Object.keys(object)) if (object[name] === undefined) delete object[name]
  }
  return key.sign(head, payload)
}
