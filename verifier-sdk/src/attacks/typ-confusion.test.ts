import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'

/**
 * RFC 8725 3.11 / RFC 9068 2.1: an access token says `typ: at+jwt`. The SDK accepts exactly
 * `at+jwt` and `application/at+jwt`, compared case-insensitively (media types are, RFC 7515
 * 4.1.9), and nothing else: no typ, a generic `JWT`, another profile's type. All tokens here are
 * signed by the issuer's key, so typ is the only thing wrong with them.
 */
describe('attack: typ confusion', () => {
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig()
  })
  afterAll(() => rig.close())

  const REFUSED: Record<string, unknown> = {
    'no typ': undefined,
    JWT: 'JWT',
    jwt: 'jwt',
    'application/jwt': 'application/jwt',
    'an ID token type': 'id_token+jwt',
    'a logout token': 'logout+jwt',
    'a security event': 'secevent+jwt',
    'a DPoP proof': 'dpop+jwt',
    "the issuer's revocation feed": 'revocation-feed+jwt',
    JOSE: 'JOSE',
    'at+jwt with a space': 'at+jwt ',
    'at+jwt with a parameter': 'application/at+jwt; charset=utf-8',
    'at+jwt with NUL': 'at+jwt\u0000',
    'at jwt': 'at jwt',
    'x-at+jwt': 'x-at+jwt',
    'a list': ['at+jwt'],
    null: null,
    'a number': 1,
    'an object': { typ: 'at+jwt' },
  }

  for (const [name, typ] of Object.entries(REFUSED)) {
    it(`refuses ${name}`, async () => {
      await rig.refused(rig.token({}, { typ }))
    })
  }

  it('accepts at+jwt and application/at+jwt in any case (the documented behaviour)', async () => {
    for (const typ of ['at+jwt', 'at+JWT', 'AT+JWT', 'application/at+jwt', 'Application/At+Jwt']) {
      expect((await rig.accepted(rig.token({ sub: `typ ${typ}` }, { typ }))).sub).toBe(`typ ${typ}`)
    }
  })

  it('refuses a tokensmith refresh token presented as an access token', async () => {
    for (let i = 0; i < 5; i++) {
      const refreshToken = `rt_${randomBytes(32).toString('base64url')}`
      expect(refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/)
      await rig.refused(refreshToken)
    }
    // Shapes a confused client might try: the refresh token as one segment of a JWS.
    const [h, p, s] = rig.token().split('.')
    await rig.refused(`rt_${randomBytes(32).toString('base64url')}.${p}.${s}`)
    await rig.refused(`${h}.rt_${randomBytes(32).toString('base64url')}.${s}`)
  })
})
