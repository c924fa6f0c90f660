import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createVerifier } from '../create-verifier.ts'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { JWKS_PATH, startCountingJwksServer } from '../testing/counting-jwks-server.ts'
import { b64url, jsonSegment, segments, signRawRs256 } from '../testing/forge.ts'
import { T0, TEST_AUDIENCE, TEST_ISSUER } from '../testing/test-key.ts'

// Counts the SDK's RSA verifications: "rejected before any RSA work" is then a count, not a time.
const rsa = vi.hoisted(() => ({ verifications: 0 }))
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>()
  const verify = ((...args: Parameters<typeof actual.verify>) => {
    rsa.verifications++
    return (actual.verify as (...a: unknown[]) => unknown)(...args)
  }) as typeof actual.verify
  return { ...actual, default: { ...actual, verify }, verify }
})

const MAX_TOKEN_BYTES = 8192

/** A header naming a real key and a payload padded so the whole token is `length` characters. */
function tokenOfLength(kid: string, length: number): string {
  const header = jsonSegment({ alg: 'RS256', typ: 'at+jwt', kid })
  const signature = b64url(Buffer.alloc(256, 1))
  const room = length - header.length - signature.length - 2
  return `${header}.${'A'.repeat(Math.max(room, 2))}.${signature}`
}

/** A JSON value nested `depth` levels deep. */
function nested(depth: number, open = '[', close = ']'): string {
  return `${open.repeat(depth)}${close.repeat(depth)}`
}

function gc(): void {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

describe('attack: oversized tokens are refused before any decoding, key fetch or RSA work', () => {
  it('a cold verifier fetches no keys and verifies nothing for tokens over maxTokenBytes', async () => {
    const server = await startCountingJwksServer()
    const fetchCalls: string[] = []
    const verifier = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: server.jwksUrl,
      clock: () => T0,
      fetch: (input, init) => {
        fetchCalls.push(String(input))
        return fetch(input, init)
      },
    })
    const verificationsBefore = rsa.verifications
    try {
      for (const length of [
        MAX_TOKEN_BYTES + 1,
        MAX_TOKEN_BYTES + 1000,
        100 * 1024,
        1024 * 1024,
        8 * 1024 * 1024,
      ]) {
        const error = await verifier.verify(tokenOfLength('any-kid', length)).catch((e: unknown) => e)
        expect(error).toMatchObject({
          name: 'VerifyError',
          code: 'invalid_token',
          detail: 'token exceeds maxTokenBytes',
        })
      }
      // Not even garbage of that size is looked at.
      await expect(verifier.verify('{'.repeat(MAX_TOKEN_BYTES + 1))).rejects.toMatchObject({
        detail: 'token exceeds maxTokenBytes',
      })
      expect(fetchCalls).toEqual([])
      expect(server.count(JWKS_PATH)).toBe(0)
      expect(rsa.verifications).toBe(verificationsBefore)
    } finally {
      verifier.close()
      await server.close()
    }
  })

  describe('a warm verifier', () => {
    let rig: AttackRig
    beforeAll(async () => {
      rig = await startAttackRig()
    })
    afterAll(() => rig.close())

    it('refuses a genuinely signed token one byte over the bound, and accepts one exactly at it', async () => {
      // Grow a padding claim until the token passes the bound: the last one at or under it, and the first over.
      const base = rig.token({ pad: '' }).length
      let n = Math.floor(((MAX_TOKEN_BYTES - base) * 3) / 4) - 8
      let atBound = rig.token({ pad: 'x'.repeat(n) })
      let over = atBound
      while (over.length <= MAX_TOKEN_BYTES) {
        atBound = over
        over = rig.token({ pad: 'x'.repeat(++n) })
      }
      expect(atBound.length).toBeGreaterThan(MAX_TOKEN_BYTES - 4)
      const verificationsBefore = rsa.verifications
      await rig.accepted(atBound)
      // The spy sees the SDK's RSA work (so the zero counts below mean something).
      expect(rsa.verifications).toBeGreaterThan(verificationsBefore)
      const refusedFrom = rsa.verifications
      const jwksBefore = rig.server.count(JWKS_PATH)
      await rig.refused(over)
      await rig.refused(`${over}${'A'.repeat(100 * 1024)}`)
      expect(rsa.verifications).toBe(refusedFrom)
      expect(rig.server.count(JWKS_PATH)).toBe(jwksBefore)
    })

    it('refuses deeply nested headers without RSA work unless the header itself is acceptable', async () => {
      const payload = segments(rig.token())[1]
      const signature = segments(rig.token())[2]
      const verificationsBefore = rsa.verifications
      const depth = 2000 // as deep as fits in 8 KiB of base64url
      const headers = [
        nested(depth),
        nested(depth, '{"a":', '}').replace(/\{"a":\}/, '{}'),
        `{"alg":${nested(depth)}}`,
        `{"typ":"at+jwt","kid":${nested(depth)},"alg":"RS256"}`,
        `{"alg":"RS256","typ":"at+jwt","kid":"k","crit":${nested(depth)}}`,
      ]
      for (const header of headers) await rig.refused(`${b64url(header)}.${payload}.${signature}`)
      expect(rsa.verifications).toBe(verificationsBefore)
    })

    it('a deep payload is never parsed unless its signature verifies, and a signed one does not crash', async () => {
      const [h, , s] = segments(rig.token())
      const deepClaims = b64url(`{"x":${nested(2500)}}`)
      await rig.refused(`${h}.${deepClaims}.${s}`)
      // The issuer's key signing a deep (but bounded) payload: a verdict, not a crash.
      const header = JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: rig.key.kid })
      const claims = JSON.stringify(rig.claims()).replace(/^\{/, `{"x":${nested(2500)},`)
      const token = signRawRs256(rig.key.privateKey, header, claims)
      expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_BYTES)
      const claimsBack = await rig.accepted(token)
      expect(Object.isFrozen(claimsBack.x)).toBe(true)
    })

    it('keeps memory flat over thousands of oversized and deeply nested attempts', async () => {
      const [, p, s] = segments(rig.token())
      const attempts = (round: number) => {
        const list: Promise<unknown>[] = []
        for (let i = 0; i < 500; i++) {
          // Unique headers, so nothing is served from the header cache.
          const deep = `{"alg":"RS256","typ":"at+jwt","kid":"${round}-${i}","x":${nested(1500)}}`
          list.push(rig.verifier.verify(`${b64url(deep)}.${p}.${s}`).catch(() => undefined))
          list.push(rig.verifier.verify(tokenOfLength(`${i}`, 64 * 1024)).catch(() => undefined))
          list.push(rig.verifier.verify(`${b64url(nested(3000))}.${p}.${s}`).catch(() => undefined))
        }
        return Promise.all(list)
      }
      await attempts(0)
      gc()
      const before = process.memoryUsage().heapUsed
      for (let round = 1; round <= 6; round++) await attempts(round)
      gc()
      const growth = process.memoryUsage().heapUsed - before
      // 9000 attempts; generous bound: the only thing kept is the bounded header cache.
      expect(growth).toBeLessThan(32 * 1024 * 1024)
    })
  })
})
