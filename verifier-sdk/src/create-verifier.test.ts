import { createHmac, createPublicKey } from 'node:crypto'
import fc from 'fast-check'
import { importJWK, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { isServiceToken } from './claims/is-service-token.ts'
import { isUserToken } from './claims/is-user-token.ts'
import { createVerifier } from './create-verifier.ts'
import { VerifyError, type VerifyErrorCode } from './errors.ts'
import {
  accessToken,
  createTestKey,
  T0,
  TEST_AUDIENCE,
  TEST_ISSUER,
  type TestKey,
} from './testing/test-key.ts'
import type { VerifierOptions } from './verifier-options.ts'

const key = createTestKey('RS256')
const otherKey = createTestKey('RS256')
const weakKey = createTestKey('RS256', 1024)

function verifierFor(keys: TestKey[], options: Partial<VerifierOptions> = {}) {
  return createVerifier({
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    jwks: { keys: keys.map((k) => k.publicJwk) },
    clock: () => T0,
    ...options,
  })
}

const verifier = verifierFor([key])

async function rejection(promise: Promise<unknown>): Promise<VerifyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(VerifyError)
  return error as VerifyError
}

async function expectCode(token: string, code: VerifyErrorCode, v = verifier): Promise<VerifyError> {
  const error = await rejection(v.verify(token))
  expect(error.code).toBe(code)
  // Nothing of the token ever appears in what an error says.
  for (const part of token.split('.').filter((p) => p.length > 8)) {
    expect(`${error.message} ${error.detail} ${String(error)}`).not.toContain(part)
  }
  return error
}

describe('createVerifier: a good token', () => {
  it('verifies and returns typed, frozen claims', async () => {
    const claims = await verifier.verify(accessToken(key, { roles: ['admin', 'user'], scope: 'orders:read' }))
    expect(claims).toMatchObject({
      iss: TEST_ISSUER,
      sub: 'user-1',
      aud: TEST_AUDIENCE,
      jti: 'jti-1',
      client_id: 'cli',
      sid: 'sid-1',
      roles: ['admin', 'user'],
      scope: 'orders:read',
    })
    expect(Object.isFrozen(claims)).toBe(true)
    expect(Object.isFrozen(claims.roles)).toBe(true)
  })

  it('verifies a token signed by jose (an independent signer)', async () => {
    const privateJwk = key.privateKey.export({ format: 'jwk' })
    const token = await new SignJWT({ client_id: 'cli', sid: 's', roles: [] })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(TEST_ISSUER)
      .setAudience([TEST_AUDIENCE, 'billing'])
      .setSubject('u')
      .setJti('j')
      .setIssuedAt(T0 / 1000)
      .setExpirationTime(T0 / 1000 + 60)
      .sign(await importJWK(privateJwk, 'RS256'))
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'u', aud: [TEST_AUDIENCE, 'billing'] })
  })

  it('defaults roles to an empty list', async () => {
    const claims = await verifier.verify(accessToken(key, { roles: undefined }))
    expect(claims.roles).toEqual([])
  })

  it('accepts typ case-insensitively and as application/at+jwt', async () => {
    await expect(verifier.verify(accessToken(key, {}, { typ: 'AT+JWT' }))).resolves.toBeDefined()
    await expect(verifier.verify(accessToken(key, {}, { typ: 'application/at+jwt' }))).resolves.toBeDefined()
  })

  it('accepts any one of several configured audiences', async () => {
    const v = verifierFor([key], { audience: ['billing', TEST_AUDIENCE] })
    await expect(v.verify(accessToken(key))).resolves.toBeDefined()
  })

  it('verifies PS256, ES256 and EdDSA when they are allowed', async () => {
    for (const alg of ['PS256', 'ES256', 'EdDSA'] as const) {
      const k = createTestKey(alg)
      const v = verifierFor([k], { algorithms: [alg] })
      await expect(v.verify(accessToken(k))).resolves.toMatchObject({ sub: 'user-1' })
      // ...and not with the default pin.
      expect(() => verifierFor([k])).toThrow(/jwks/)
    }
  })
})

describe('createVerifier: users and services', () => {
  const service = { sub: 'billing-worker', client_id: 'billing-worker', sid: undefined, roles: undefined }

  it("verifies a service's token: no sid, sub the client_id, no roles", async () => {
    const claims = await verifier.verify(accessToken(key, { ...service, scope: 'orders:read' }))
    expect(claims).toMatchObject({ sub: 'billing-worker', roles: [], scope: 'orders:read' })
    expect('sid' in claims).toBe(false)
    expect(isServiceToken(claims)).toBe(true)
    expect(isUserToken(claims)).toBe(false)
    expect(Object.isFrozen(claims) && Object.isFrozen(claims.roles)).toBe(true)
    // An explicit empty list is the same as none.
    await expect(verifier.verify(accessToken(key, { ...service, roles: [] }))).resolves.toBeDefined()
  })

  it("tells a user's token by its sid", async () => {
    const claims = await verifier.verify(accessToken(key, { scope: '' }))
    expect(isUserToken(claims)).toBe(true)
    expect(isServiceToken(claims)).toBe(false)
    if (isUserToken(claims)) expect(claims.sid satisfies string).toBe('sid-1')
    // A user whose id happens to equal the client's keeps a user's token while it has a sid.
    expect(isUserToken(await verifier.verify(accessToken(key, { sub: 'cli', client_id: 'cli' })))).toBe(true)
  })

  it("refuses a user's token that lost its sid, and a service token that claims roles", async () => {
    for (const [claims, claim, reason] of [
      [{ sid: undefined }, 'sid', 'missing'],
      [{ sid: undefined, sub: 'billing-worker' }, 'sid', 'missing'],
      [{ ...service, roles: ['admin'] }, 'roles', 'not_allowed'],
      [{ ...service, sid: '' }, 'sid', 'malformed'],
    ] as const) {
      const error = await expectCode(accessToken(key, claims), 'invalid_token')
      expect({ claim: error.claim, reason: error.reason }).toEqual({ claim, reason })
    }
  })
})

describe('createVerifier: the token layer', () => {
  it('refuses a missing token with missing_token', async () => {
    await expectCode('', 'missing_token')
  })

  it('refuses an oversized token before decoding it', async () => {
    const big = accessToken(key, { padding: 'x'.repeat(9000) })
    const error = await expectCode(big, 'invalid_token')
    expect(error.detail).toBe('token exceeds maxTokenBytes')
    // Even garbage of that size never reaches the decoder.
    expect((await expectCode('!'.repeat(8193), 'invalid_token')).detail).toBe('token exceeds maxTokenBytes')
    // The bound is configurable.
    const roomy = verifierFor([key], { maxTokenBytes: 16_384 })
    await expect(roomy.verify(big)).resolves.toBeDefined()
  })

  it('refuses anything that is not a compact JWS', async () => {
    const token = accessToken(key)
    const [h, p, s] = token.split('.') as [string, string, string]
    for (const bad of [
      `${h}.${p}`,
      `${h}.${p}.${s}.x`,
      `${h}.${p}.${s}.x.y`,
      `${h}.${p}.`,
      ` ${token}`,
      `${token}\n`,
      `${h}.${p}.${s}=`,
      `${Buffer.from('not json').toString('base64url')}.${p}.${s}`,
      `${Buffer.from('[1]').toString('base64url')}.${p}.${s}`,
      `${h}.${Buffer.from('"str"').toString('base64url')}.${s}`,
    ]) {
      await expectCode(bad, 'invalid_token')
    }
  })

  it('refuses alg none, HS256 made with the public key, and algorithms not pinned', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid, typ: 'at+jwt' })).toString(
      'base64url',
    )
    const payload = accessToken(key).split('.')[1]
    await expectCode(`${header}.${payload}.AAAA`, 'invalid_token')

    const hsHeader = Buffer.from(JSON.stringify({ alg: 'HS256', kid: key.kid, typ: 'at+jwt' })).toString(
      'base64url',
    )
    const pem = createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' })
    const mac = createHmac('sha256', pem).update(`${hsHeader}.${payload}`).digest('base64url')
    expect((await expectCode(`${hsHeader}.${payload}.${mac}`, 'invalid_token')).detail).toBe(
      'alg is not allowed',
    )

    // A PS256 signature by the same RSA key is refused while only RS256 is pinned.
    const ps = createTestKey('PS256')
    const v = verifierFor([ps], { algorithms: ['RS256', 'PS256'] })
    await expect(v.verify(accessToken(ps))).resolves.toBeDefined()
    const pinned = verifierFor([{ ...ps, publicJwk: { ...ps.publicJwk, alg: undefined } }])
    expect((await expectCode(accessToken(ps), 'invalid_token', pinned)).detail).toBe('alg is not allowed')
  })

  it('refuses a validly signed payload that is not a JSON object', async () => {
    const header = { alg: 'RS256', kid: key.kid, typ: 'at+jwt' }
    for (const payload of [[1, 2], 'claims', null]) {
      const error = await expectCode(key.sign(header, payload as never), 'invalid_token')
      expect(error.detail).toBe('payload is not a JSON object')
    }
  })

  it('requires typ at+jwt', async () => {
    for (const typ of [undefined, 'JWT', 'jwt', 'at+jwt ', 'application/jwt', 1]) {
      expect((await expectCode(accessToken(key, {}, { typ }), 'invalid_token')).detail).toBe(
        'typ is not at+jwt',
      )
    }
  })

  it('refuses any crit header, even naming a registered claim', async () => {
    for (const crit of [['exp'], ['b64'], [], 'x']) {
      await expectCode(accessToken(key, {}, { crit }), 'invalid_token')
    }
  })

  it('refuses tokens that carry or reference a key (jwk, jku, x5u, x5c), even ones signed by that key', async () => {
    const attacker = createTestKey('RS256')
    const embedded = accessToken(attacker, {}, { kid: key.kid, jwk: attacker.publicJwk })
    expect((await expectCode(embedded, 'invalid_token')).detail).toBe('jwk header parameter is refused')
    for (const header of [
      { jku: 'https://evil.test/jwks.json' },
      { x5u: 'https://evil.test/cert.pem' },
      { x5c: ['MIIB'] },
      { jwk: key.publicJwk },
    ]) {
      await expectCode(accessToken(key, {}, header), 'invalid_token')
    }
  })

  it('requires a kid that names a key of the set, with the token alg', async () => {
    await expectCode(accessToken(key, {}, { kid: undefined }), 'invalid_token')
    await expectCode(accessToken(key, {}, { kid: 'nope' }), 'invalid_token')
    // The other key signs, claiming our kid: the signature does not verify.
    expect((await expectCode(accessToken(otherKey, {}, { kid: key.kid }), 'invalid_token')).detail).toBe(
      'signature does not verify',
    )
  })

  it('refuses a bit-flipped signature or an altered payload', async () => {
    const token = accessToken(key)
    const [h, p, s] = token.split('.') as [string, string, string]
    const sig = Buffer.from(s, 'base64url')
    sig[10] = (sig[10] ?? 0) ^ 1
    await expectCode(`${h}.${p}.${sig.toString('base64url')}`, 'invalid_token')
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['admin'] }),
    )
    await expectCode(`${h}.${forged.toString('base64url')}.${s}`, 'invalid_token')
  })

  it('never accepts a token with any single character changed', async () => {
    const token = accessToken(key)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: token.length - 1 }),
        fc.nat({ max: alphabet.length - 1 }),
        async (at, pick) => {
          const replacement = alphabet[pick] ?? 'A'
          fc.pre(token[at] !== replacement)
          const mutated = token.slice(0, at) + replacement + token.slice(at + 1)
          const outcome = await verifier.verify(mutated).then(
            (claims) => claims,
            (e: unknown) => e,
          )
          // Base64url has slack bits in the final character: a change there may decode to the same bytes.
          const sameBytes =
            mutated.split('.').length === 3 &&
            mutated.split('.').every((seg, i) => {
              const original = token.split('.')[i] ?? ''
              return Buffer.from(seg, 'base64url').equals(Buffer.from(original, 'base64url'))
            })
          if (!sameBytes) expect(outcome).toBeInstanceOf(VerifyError)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('createVerifier: the claims', () => {
  const now = T0 / 1000

  it('requires iss to match exactly', async () => {
    for (const iss of [undefined, 'https://evil.test', `${TEST_ISSUER}/`, TEST_ISSUER.toUpperCase()]) {
      await expectCode(accessToken(key, { iss }), 'invalid_token')
    }
  })

  it('requires aud to contain ours', async () => {
    for (const aud of [undefined, 'billing', ['billing'], [], [TEST_AUDIENCE, 3], 42]) {
      await expectCode(accessToken(key, { aud }), 'invalid_token')
    }
    await expect(
      verifier.verify(accessToken(key, { aud: ['billing', TEST_AUDIENCE] })),
    ).resolves.toBeDefined()
  })

  it('requires exp, and reports expiry as token_expired (with the clock tolerance)', async () => {
    await expectCode(accessToken(key, { exp: undefined }), 'invalid_token')
    await expectCode(accessToken(key, { exp: String(now + 60) }), 'invalid_token')
    await expectCode(accessToken(key, { exp: now - 5 }), 'token_expired')
    await expectCode(accessToken(key, { exp: now - 3600 }), 'token_expired')
    await expect(verifier.verify(accessToken(key, { exp: now - 4 }))).resolves.toBeDefined()
    const strict = verifierFor([key], { clockToleranceSec: 0 })
    await expectCode(accessToken(key, { exp: now }), 'token_expired', strict)
    await expect(strict.verify(accessToken(key, { exp: now + 1 }))).resolves.toBeDefined()
  })

  it('honours nbf with the tolerance', async () => {
    await expectCode(accessToken(key, { nbf: now + 6 }), 'invalid_token')
    await expectCode(accessToken(key, { nbf: 'soon' }), 'invalid_token')
    await expect(verifier.verify(accessToken(key, { nbf: now + 5 }))).resolves.toBeDefined()
  })

  it('requires iat and refuses one in the future beyond the tolerance', async () => {
    await expectCode(accessToken(key, { iat: undefined }), 'invalid_token')
    await expectCode(accessToken(key, { iat: now + 6 }), 'invalid_token')
    await expect(verifier.verify(accessToken(key, { iat: now + 5 }))).resolves.toBeDefined()
  })

  it('requires sub, jti, client_id and sid as strings, roles as strings, scope as a string', async () => {
    for (const name of ['sub', 'jti', 'client_id', 'sid']) {
      await expectCode(accessToken(key, { [name]: undefined }), 'invalid_token')
      await expectCode(accessToken(key, { [name]: 7 }), 'invalid_token')
    }
    await expectCode(accessToken(key, { roles: 'admin' }), 'invalid_token')
    await expectCode(accessToken(key, { roles: ['admin', 1] }), 'invalid_token')
    await expectCode(accessToken(key, { scope: ['a'] }), 'invalid_token')
  })
})

describe('createVerifier: the key set', () => {
  it('ignores RSA keys under 2048 bits', async () => {
    const v = verifierFor([key, weakKey])
    expect((await expectCode(accessToken(weakKey), 'invalid_token', v)).detail).toMatch(/no key matches/)
    expect(() => verifierFor([weakKey])).toThrow(/shorter than 2048/)
  })

  it('ignores keys for encryption, with another alg, or with private members', async () => {
    for (const jwk of [
      { ...key.publicJwk, use: 'enc' },
      { ...key.publicJwk, alg: 'RS384' },
      { ...key.publicJwk, key_ops: ['encrypt'] },
      key.privateKey.export({ format: 'jwk' }) as Record<string, unknown>,
    ]) {
      const v = createVerifier({
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        jwks: { keys: [otherKey.publicJwk, { ...jwk, kid: key.kid }] },
        clock: () => T0,
      })
      await expectCode(accessToken(key), 'invalid_token', v)
    }
  })
})

describe('createVerifier: options', () => {
  const base = { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwks: { keys: [key.publicJwk] } }
  const cases: [string, Record<string, unknown>][] = [
    ['issuer', { issuer: '' }],
    ['audience', { audience: [] }],
    ['audience', { audience: ['', 'x'] }],
    ['algorithms', { algorithms: ['HS256'] }],
    ['algorithms', { algorithms: ['none'] }],
    ['algorithms', { algorithms: [] }],
    ['jwks', { jwks: { keys: [] } }],
    ['jwksUri', { jwksUri: 'https://x.test/jwks' }],
    ['clockToleranceSec', { clockToleranceSec: -1 }],
    ['maxTokenBytes', { maxTokenBytes: Number.NaN }],
    ['maxStaleSec', { maxStaleSec: '60' }],
    ['maxCacheSec', { minCacheSec: 100, maxCacheSec: 50 }],
    ['cache.maxEntries', { cache: { maxEntries: 0 } }],
    ['clock', { clock: 5 }],
    ['fetch', { fetch: 'fetch' }],
    ['audiences', { audiences: ['x'] }],
    ['cacheFile', { cacheFile: '/tmp/x.json' }],
  ]
  for (const [name, patch] of cases) {
    it(`names "${name}" when it is wrong`, () => {
      expect(() => createVerifier({ ...base, ...patch } as unknown as VerifierOptions)).toThrow(
        new RegExp(`"${name.replace('.', '\\.')}"`),
      )
      expect(() => createVerifier({ ...base, ...patch } as unknown as VerifierOptions)).toThrow(TypeError)
    })
  }

  it('needs an http(s) issuer when keys are to be fetched', () => {
    expect(() => createVerifier({ issuer: 'tokensmith', audience: 'a' })).toThrow(/"issuer"/)
    expect(() => createVerifier({ issuer: 'https://id.example.test', audience: 'a' })).not.toThrow()
  })
})

describe('createVerifier: what each refusal says (code, claim, reason)', () => {
  const now = T0 / 1000
  const header = { alg: 'RS256', kid: key.kid, typ: 'at+jwt' }
  const [h, p, s] = accessToken(key).split('.') as [string, string, string]
  const cases: [string, () => string, VerifyErrorCode, string | undefined, string][] = [
    ['no token', () => '', 'missing_token', undefined, 'missing'],
    ['a token over maxTokenBytes', () => 'a'.repeat(8193), 'invalid_token', undefined, 'oversized'],
    ['two segments', () => `${h}.${p}`, 'invalid_token', undefined, 'malformed'],
    [
      'a header that is not JSON',
      () => `${Buffer.from('{').toString('base64url')}.${p}.${s}`,
      'invalid_token',
      undefined,
      'malformed',
    ],
    ['alg none', () => accessToken(key, {}, { alg: 'none' }), 'invalid_token', 'alg', 'not_allowed'],
    ['no alg', () => accessToken(key, {}, { alg: undefined }), 'invalid_token', 'alg', 'missing'],
    ['typ JWT', () => accessToken(key, {}, { typ: 'JWT' }), 'invalid_token', 'typ', 'mismatch'],
    ['no typ', () => accessToken(key, {}, { typ: undefined }), 'invalid_token', 'typ', 'missing'],
    [
      'a crit header',
      () => accessToken(key, {}, { crit: ['exp'] }),
      'invalid_token',
      'crit',
      'not_supported',
    ],
    [
      'a jku header',
      () => accessToken(key, {}, { jku: 'https://evil.test/k' }),
      'invalid_token',
      'jku',
      'not_allowed',
    ],
    ['no kid', () => accessToken(key, {}, { kid: undefined }), 'invalid_token', 'kid', 'missing'],
    ['an unknown kid', () => accessToken(key, {}, { kid: 'nope' }), 'invalid_token', 'kid', 'unknown_key'],
    [
      'a forged signature',
      () => accessToken(otherKey, {}, { kid: key.kid }),
      'invalid_token',
      undefined,
      'bad_signature',
    ],
    [
      'a payload that is not an object',
      () => key.sign(header, [1] as never),
      'invalid_token',
      undefined,
      'malformed',
    ],
    ['another iss', () => accessToken(key, { iss: 'https://evil.test' }), 'invalid_token', 'iss', 'mismatch'],
    ['no iss', () => accessToken(key, { iss: undefined }), 'invalid_token', 'iss', 'missing'],
    ['another aud', () => accessToken(key, { aud: 'billing' }), 'invalid_token', 'aud', 'mismatch'],
    ['no aud', () => accessToken(key, { aud: undefined }), 'invalid_token', 'aud', 'missing'],
    ['an aud of numbers', () => accessToken(key, { aud: [1] }), 'invalid_token', 'aud', 'malformed'],
    ['exp past', () => accessToken(key, { exp: now - 60 }), 'token_expired', 'exp', 'expired'],
    ['no exp', () => accessToken(key, { exp: undefined }), 'invalid_token', 'exp', 'missing'],
    ['exp a string', () => accessToken(key, { exp: String(now + 60) }), 'invalid_token', 'exp', 'malformed'],
    ['nbf ahead', () => accessToken(key, { nbf: now + 60 }), 'invalid_token', 'nbf', 'in_future'],
    ['iat ahead', () => accessToken(key, { iat: now + 60 }), 'invalid_token', 'iat', 'in_future'],
    ['no sub', () => accessToken(key, { sub: undefined }), 'invalid_token', 'sub', 'missing'],
    ['sid a number', () => accessToken(key, { sid: 7 }), 'invalid_token', 'sid', 'malformed'],
    [
      'no sid, sub not the client',
      () => accessToken(key, { sid: undefined }),
      'invalid_token',
      'sid',
      'missing',
    ],
    [
      'a service token with roles',
      () => accessToken(key, { sid: undefined, sub: 'cli', roles: ['admin'] }),
      'invalid_token',
      'roles',
      'not_allowed',
    ],
    ['roles a string', () => accessToken(key, { roles: 'admin' }), 'invalid_token', 'roles', 'malformed'],
    ['scope a list', () => accessToken(key, { scope: ['a'] }), 'invalid_token', 'scope', 'malformed'],
  ]
  for (const [name, token, code, claim, reason] of cases) {
    it(`${name}: ${code}, ${claim ?? 'no claim'}, ${reason}`, async () => {
      const error = await expectCode(token(), code)
      expect({ claim: error.claim, reason: error.reason }).toEqual({ claim, reason })
    })
  }
})
