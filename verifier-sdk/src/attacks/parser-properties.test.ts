import fc from 'fast-check'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../create-verifier.ts'
import { VerifyError } from '../errors.ts'
import { type AuthEnv, honoAuth } from '../hono/index.ts'
import { buildKeySet } from '../keys/key-set.ts'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { JWKS_PATH } from '../testing/counting-jwks-server.ts'
import { b64url, jsonSegment, segments } from '../testing/forge.ts'
import { createTestKey, T0, TEST_AUDIENCE, TEST_ISSUER } from '../testing/test-key.ts'

/**
 * Property tests over everything the SDK parses from outside: the token, the Authorization
 * header, and the JWKS document. Nothing may throw anything but VerifyError, and no answer may
 * be a 5xx except 503 keys_unavailable when the keys are genuinely unusable.
 */

/** What `verify()` did: claims, or the VerifyError code. Anything else fails the property. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'accepted',
    (error: unknown) => {
      if (!(error instanceof VerifyError)) throw new Error(`not a VerifyError: ${String(error)}`)
      return error.code
    },
  )
}

const base64urlChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')
const base64urlString = (maxLength: number) => fc.string({ unit: base64urlChar, maxLength })
const headerChar = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c))

describe('property: tokens', () => {
  let rig: AttackRig
  let good: string
  beforeAll(async () => {
    rig = await startAttackRig()
    good = rig.token()
  })
  afterAll(() => rig.close())

  it('arbitrary strings are refused with a VerifyError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 })),
        async (token) => {
          const code = await outcome(rig.verifier.verify(token))
          expect(code).toBe(token === '' ? 'missing_token' : 'invalid_token')
        },
      ),
      { numRuns: 400 },
    )
  })

  it('arbitrary three-part base64url strings are refused with invalid_token', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(base64urlString(200), base64urlString(400), base64urlString(400)),
        async (parts) => {
          expect(await outcome(rig.verifier.verify(parts.join('.')))).toBe('invalid_token')
        },
      ),
      { numRuns: 400 },
    )
  })

  it('arbitrary JSON headers and payloads under a random signature are refused with invalid_token', async () => {
    const header = fc.record(
      {
        alg: fc.oneof(fc.constantFrom('RS256', 'none', 'HS256', 'PS256', 'ES256'), fc.jsonValue()),
        typ: fc.oneof(fc.constantFrom('at+jwt', 'JWT', 'application/at+jwt'), fc.jsonValue()),
        kid: fc.oneof(fc.constant(rig.key.kid), fc.jsonValue()),
        crit: fc.jsonValue(),
        jku: fc.string(),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(
        header,
        fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue())),
        fc.uint8Array({ maxLength: 300 }),
        async (h, p, s) => {
          const token = `${jsonSegment(h)}.${jsonSegment(p)}.${b64url(s)}`
          expect(await outcome(rig.verifier.verify(token))).toBe('invalid_token')
        },
      ),
      { numRuns: 400 },
    )
    expect(rig.server.strayRequests()).toBe(0)
  })

  it('a valid token under random edits is refused unless it still means the very same bytes', async () => {
    const [h0, p0, s0] = segments(good)
    const edit = fc.oneof(
      fc.record({
        op: fc.constant('replace' as const),
        at: fc.nat(),
        char: fc.oneof(base64urlChar, headerChar),
      }),
      fc.record({
        op: fc.constant('insert' as const),
        at: fc.nat(),
        char: fc.oneof(base64urlChar, headerChar),
      }),
      fc.record({ op: fc.constant('delete' as const), at: fc.nat(), char: fc.constant('') }),
      fc.record({ op: fc.constant('truncate' as const), at: fc.nat(), char: fc.constant('') }),
      fc.record({ op: fc.constant('swap' as const), at: fc.nat(), char: fc.constant('') }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        let token = good
        for (const { op, at, char } of edits) {
          const i = token.length === 0 ? 0 : at % token.length
          if (op === 'replace') token = token.slice(0, i) + char + token.slice(i + 1)
          else if (op === 'insert') token = token.slice(0, i) + char + token.slice(i)
          else if (op === 'delete') token = token.slice(0, i) + token.slice(i + 1)
          else if (op === 'truncate') token = token.slice(0, i)
          else {
            const [a, b, c] = segments(token)
            token = at % 2 === 0 ? `${b}.${a}.${c}` : `${a}.${c}.${b}`
          }
        }
        const code = await outcome(rig.verifier.verify(token))
        const [h, p, s] = token.split('.')
        // The signing input is text, so header and payload must be unchanged; the signature may
        // differ only in base64url's unused trailing bits (a known slack, see the threat model).
        const sameMeaning =
          token.split('.').length === 3 &&
          h === h0 &&
          p === p0 &&
          /^[A-Za-z0-9_-]+$/.test(s ?? '') &&
          Buffer.from(s ?? '', 'base64url').equals(Buffer.from(s0, 'base64url'))
        if (token === good) expect(code).toBe('accepted')
        // Accepted today; refused once the SDK insists on canonical base64url (a proposed hardening).
        else if (sameMeaning) expect(['accepted', 'invalid_token']).toContain(code)
        else expect(code).toBe(token === '' ? 'missing_token' : 'invalid_token')
      }),
      { numRuns: 500 },
    )
  })
})

describe('property: Authorization headers through both middlewares', () => {
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig()
  })
  afterAll(() => rig.close())

  const authorization = fc.oneof(
    fc.string({ unit: headerChar, maxLength: 300 }),
    fc.string({ unit: headerChar, maxLength: 300 }).map((s) => `Bearer ${s}`),
    fc
      .tuple(
        fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'DPoP', ''),
        fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 3 }),
        base64urlString(300),
      )
      .map(([scheme, space, token]) => `${scheme}${space}${token}`),
  )

  function expectRefusal(status: number, body: unknown): void {
    expect(status).toBe(401)
    expect(body).toEqual({
      code: expect.stringMatching(/^(missing_token|invalid_token)$/),
      error: expect.any(String),
    })
  }

  it('Hono: every header is a 401 with {code, error}, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(authorization, async (value) => {
        const res = await rig.hono.request('/api/me', { headers: { authorization: value } })
        expectRefusal(res.status, await res.json())
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
      }),
      { numRuns: 400 },
    )
  })

  it('Express: every header is a 401 with {code, error}, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(authorization, async (value) => {
        const res = await fetch(`${rig.expressUrl}/api/me`, { headers: { authorization: value } })
        expectRefusal(res.status, await res.json())
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
      }),
      { numRuns: 150 },
    )
  })
})

describe('property: JWKS documents served by the key endpoint', () => {
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig()
  })
  afterAll(() => rig.close())

  function jwkEntries() {
    const real = rig.key.publicJwk
    const entry = fc.record(
      {
        kty: fc.oneof(fc.constantFrom('RSA', 'EC', 'OKP', 'oct', 'rsa'), fc.jsonValue()),
        kid: fc.oneof(fc.constant(rig.key.kid), fc.string({ maxLength: 20 }), fc.jsonValue()),
        n: fc.oneof(fc.constant(real.n), base64urlString(400), fc.jsonValue()),
        e: fc.oneof(fc.constantFrom('AQAB', 'AQ', 'Aw', ''), fc.jsonValue()),
        alg: fc.oneof(fc.constantFrom('RS256', 'PS256', 'HS256', 'none'), fc.jsonValue()),
        use: fc.oneof(fc.constantFrom('sig', 'enc'), fc.jsonValue()),
        key_ops: fc.oneof(fc.constant(['verify']), fc.jsonValue()),
        crv: fc.oneof(fc.constantFrom('P-256', 'Ed25519'), fc.jsonValue()),
        x: base64urlString(60),
        y: base64urlString(60),
        d: base64urlString(60),
        k: base64urlString(60),
      },
      { requiredKeys: [] },
    )
    // Usable keys that do not verify this token: another key under our kid, ours under another kid.
    const impostor = { ...createTestKey('RS256').publicJwk, kid: rig.key.kid }
    const renamed = { ...real, kid: 'rotated-away' }
    return fc.array(fc.oneof(entry, fc.constantFrom(real, impostor, renamed), fc.jsonValue()), {
      maxLength: 5,
    })
  }

  function documents() {
    return fc.oneof(
      jwkEntries().map((keys) => JSON.stringify({ keys })),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.jsonValue().map((value) => JSON.stringify({ keys: value })),
      fc.string({ maxLength: 200 }),
    )
  }

  /** The oracle: are there usable keys in this document at all? */
  function usable(document: string): boolean {
    try {
      buildKeySet(JSON.parse(document), ['RS256'])
      return true
    } catch {
      return false
    }
  }

  it('nothing but VerifyError from verify(), only 200/401/503 from the middleware, 503 exactly when no key is usable', async () => {
    const token = rig.token()
    const tally: Record<string, number> = {}
    await fc.assert(
      fc.asyncProperty(documents(), async (document) => {
        rig.server.document = document
        const verifier = createVerifier({
          issuer: TEST_ISSUER,
          audience: TEST_AUDIENCE,
          jwksUri: rig.server.jwksUrl,
          clock: () => T0,
        })
        const app = new Hono<AuthEnv>().use('/*', honoAuth(verifier)).get('/', (c) => c.text('ok'))
        try {
          const code = await outcome(verifier.verify(token))
          const res = await app.request('/', { headers: { authorization: `Bearer ${token}` } })
          await res.arrayBuffer()
          tally[code] = (tally[code] ?? 0) + 1
          expect(code === 'keys_unavailable').toBe(!usable(document))
          expect(code).toMatch(/^(accepted|invalid_token|keys_unavailable)$/)
          expect(res.status).toBe(code === 'accepted' ? 200 : code === 'keys_unavailable' ? 503 : 401)
        } finally {
          verifier.close()
        }
      }),
      { numRuns: 300 },
    )
    rig.server.document = undefined
    console.log(
      'JWKS documents by outcome:',
      JSON.stringify(tally),
      'JWKS requests:',
      rig.server.count(JWKS_PATH),
    )
    // Every outcome was reached, so the property exercised each branch.
    expect(Object.keys(tally).sort()).toEqual(['accepted', 'invalid_token', 'keys_unavailable'])
  })
})
