import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../create-verifier.ts'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { signRawRs256 } from '../testing/forge.ts'
import { T0, TEST_AUDIENCE, TEST_ISSUER } from '../testing/test-key.ts'

/**
 * exp, nbf and iat at every edge, with the verifier's clock injected (rig.now) and the default
 * tolerance of 5 s. exp is required, nbf optional, iat required; each must be a finite JSON number
 * (a NumericDate, fractions allowed, RFC 7519 2). Only an exp in the past is `token_expired`.
 */
describe('attack: time-claim edges', () => {
  const TOLERANCE = 5
  const now = T0 / 1000
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig()
  })
  afterAll(() => rig.close())

  const NOT_A_NUMERIC_DATE: Record<string, unknown> = {
    missing: undefined,
    'a numeric string': String(now + 900),
    'an ISO date string': '2030-01-01T00:15:00Z',
    null: null,
    true: true,
    'a list': [now + 900],
    'an object': { value: now + 900 },
  }

  for (const claim of ['exp', 'iat'] as const) {
    for (const [name, value] of Object.entries(NOT_A_NUMERIC_DATE)) {
      it(`refuses ${claim} ${name} as invalid_token`, async () => {
        await rig.refused(rig.token({ [claim]: value }))
      })
    }
  }

  for (const [name, value] of Object.entries(NOT_A_NUMERIC_DATE)) {
    if (name === 'missing') continue
    it(`refuses nbf ${name} as invalid_token`, async () => {
      await rig.refused(rig.token({ nbf: value }))
    })
  }

  it('refuses exp = 1e400 (Infinity after JSON.parse) and nbf/iat likewise', async () => {
    const header = `{"alg":"RS256","typ":"at+jwt","kid":"${rig.key.kid}"}`
    const base = `"iss":"${TEST_ISSUER}","aud":"${TEST_AUDIENCE}","sub":"u","jti":"j","client_id":"c","sid":"s"`
    for (const times of [
      `"exp":1e400,"iat":${now}`,
      `"exp":${now + 60},"iat":-1e400`,
      `"exp":${now + 60},"iat":${now},"nbf":-1e400`,
    ]) {
      await rig.refused(signRawRs256(rig.key.privateKey, header, `{${base},${times}}`))
    }
  })

  it('exp: negative, zero and past beyond tolerance are token_expired', async () => {
    for (const exp of [-1, -1e12, 0, now - 3600, now - TOLERANCE - 1, now - TOLERANCE]) {
      await rig.refused(rig.token({ exp, iat: Math.min(now, exp) }), 'token_expired')
    }
  })

  it('exp: exactly now, within the tolerance, and fractional are accepted; exp = now - tolerance is not', async () => {
    for (const exp of [now, now - TOLERANCE + 0.001, now - 1, now + 0.5, now + 900.25]) {
      await rig.accepted(rig.token({ exp }))
    }
    await rig.refused(rig.token({ exp: now - TOLERANCE }), 'token_expired')
  })

  it('exp exactly now is expired with no tolerance (RFC 7519 4.1.4: now must be before exp)', async () => {
    const strict = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwks: { keys: [rig.key.publicJwk] },
      clockToleranceSec: 0,
      clock: () => T0,
    })
    await expect(strict.verify(rig.token({ exp: now }))).rejects.toMatchObject({ code: 'token_expired' })
    await expect(strict.verify(rig.token({ exp: now + 0.001 }))).resolves.toMatchObject({ sub: 'user-1' })
  })

  it('nbf: beyond tolerance in the future is refused; now, within tolerance, past, negative, fractional are not', async () => {
    await rig.refused(rig.token({ nbf: now + TOLERANCE + 1 }))
    await rig.refused(rig.token({ nbf: now + TOLERANCE + 0.001 }))
    for (const nbf of [now, now + TOLERANCE, now + 1.5, now - 3600, 0, -1])
      await rig.accepted(rig.token({ nbf }))
  })

  it('iat: beyond tolerance in the future is refused; now, within tolerance, past, negative, fractional are not', async () => {
    await rig.refused(rig.token({ iat: now + TOLERANCE + 1 }))
    await rig.refused(rig.token({ iat: now + 3600 }))
    // A negative or zero iat is a token issued before 1970: odd, but the issuer signed it and exp
    // still bounds it, so the SDK (like RFC 7519) does not refuse it on that ground.
    for (const iat of [now, now + TOLERANCE, now - 0.5, now - 86_400, 0, -1])
      await rig.accepted(rig.token({ iat }))
  })

  it('follows the injected clock: the same token is accepted, then expired, as time passes', async () => {
    const start = rig.now
    const token = rig.token({ exp: now + 60 })
    try {
      await rig.accepted(token)
      rig.now = T0 + (60 + TOLERANCE - 1) * 1000
      await rig.accepted(token)
      rig.now = T0 + (60 + TOLERANCE) * 1000
      await rig.refused(token, 'token_expired')
      // And a token not yet valid becomes valid.
      rig.now = T0
      const early = rig.token({ nbf: now + 30, iat: now })
      await rig.refused(early)
      rig.now = T0 + 25_000
      await rig.accepted(early)
    } finally {
      rig.now = start
    }
  })
})
