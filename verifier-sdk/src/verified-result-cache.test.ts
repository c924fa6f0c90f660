import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createVerifier, type Verifier } from './create-verifier.ts'
import { type JwksServer, startJwksServer } from './testing/jwks-server.ts'
import { accessToken, createTestKey, T0, TEST_AUDIENCE, TEST_ISSUER } from './testing/test-key.ts'
import { createVerifiedResultCache } from './verified-result-cache.ts'

const keyA = createTestKey('RS256')
const keyB = createTestKey('RS256')

describe('verified-result cache', () => {
  let now = T0
  let server: JwksServer
  let verifier: Verifier

  beforeEach(async () => {
    now = T0
    server = await startJwksServer()
    server.keys = [keyA.publicJwk, keyB.publicJwk]
    verifier = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: server.jwksUrl,
      clock: () => now,
      cache: { maxEntries: 100, maxAgeSec: 60 },
    })
    await verifier.ready()
  })

  afterEach(async () => {
    verifier.close()
    await server.close()
  })

  it('answers a repeated token from the cache with the same frozen claims', async () => {
    const token = accessToken(keyA)
    const first = await verifier.verify(token)
    const second = await verifier.verify(token)
    expect(second).toBe(first)
    expect(Object.isFrozen(second)).toBe(true)
  })

  it('is off by default', async () => {
    const plain = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwks: { keys: [keyA.publicJwk] },
      clock: () => T0,
    })
    const token = accessToken(keyA)
    expect(await plain.verify(token)).not.toBe(await plain.verify(token))
  })

  it('cannot be hit by a token with the same header and payload but a forged signature', async () => {
    const token = accessToken(keyA)
    await verifier.verify(token)
    const [h, p] = token.split('.')
    const forged = `${h}.${p}.${accessToken(keyB).split('.')[2]}`
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'invalid_token' })
  })

  it('lets an entry live no longer than the token exp', async () => {
    const token = accessToken(keyA, { exp: T0 / 1000 + 30 })
    await verifier.verify(token)
    now += 30_000
    // With the 5 s tolerance the token itself is still acceptable: a fresh verification, not the entry.
    expect(await verifier.verify(token)).toBeDefined()
    now += 6_000
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_expired' })
  })

  it('fails closed on a hit once the keys are stale past maxStaleSec', async () => {
    const patient = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: server.jwksUrl,
      clock: () => now,
      cache: { maxEntries: 10, maxAgeSec: 86_400 },
    })
    await patient.ready()
    const token = accessToken(keyA, { exp: T0 / 1000 + 2 * 86_400 })
    const claims = await patient.verify(token)
    server.mode = 503
    now += 600_000 + 3_599_000 // still within freshness (600 s) + maxStaleSec (3600 s)
    expect(await patient.verify(token)).toBe(claims)
    now += 2_000
    await expect(patient.verify(token)).rejects.toMatchObject({ code: 'keys_unavailable' })
    patient.close()
  })

  it('drops entries whose kid leaves the key set', async () => {
    const tokenA = accessToken(keyA)
    const tokenB = accessToken(keyB)
    await verifier.verify(tokenA)
    const claimsB = await verifier.verify(tokenB)
    server.keys = [keyB.publicJwk] // A is retired
    await verifier.refreshKeys()
    await expect(verifier.verify(tokenA)).rejects.toMatchObject({ code: 'invalid_token' })
    expect(await verifier.verify(tokenB)).toBe(claimsB)
  })
})

describe('createVerifiedResultCache', () => {
  const claims = (exp: number) =>
    ({ exp, iss: 'i', sub: 's', aud: 'a', iat: 0, jti: 'j', client_id: 'c', sid: 's', roles: [] }) as const

  const entry = (exp: number) => ({ kid: 'k', alg: 'RS256', claims: claims(exp) }) as const

  it('bounds an entry by maxAgeSec and evicts the oldest past maxEntries', () => {
    const cache = createVerifiedResultCache(2, 10)
    cache.set('t1', entry(1e9), 0)
    expect(cache.get('t1', 9_999)).toBeDefined()
    expect(cache.get('t1', 10_000)).toBeUndefined()
    cache.set('a', entry(1e9), 0)
    cache.set('b', entry(1e9), 0)
    cache.set('c', entry(1e9), 0)
    expect(cache.size).toBe(2)
    expect(cache.get('a', 1)).toBeUndefined()
    expect(cache.get('c', 1)).toBeDefined()
  })
})
