import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { signRawRs256 } from '../testing/forge.ts'
import { T0 } from '../testing/test-key.ts'

/**
 * Duplicate member names. RFC 7515 section 4 and RFC 7519 section 4 let a parser either reject
 * them or keep only the lexically last; the SDK parses with JSON.parse, which keeps the last, for
 * the header and the claims alike. What these tests pin is that every check and the claims
 * returned see that same last value, so no check can be steered to one member and the caller to
 * another. Only the issuer's key can sign such text, and the issuer never emits duplicates.
 */
describe('attack: duplicate JSON member names', () => {
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig()
  })
  afterAll(() => rig.close())

  const now = T0 / 1000
  function claimsJson(extra: string): string {
    return (
      `{"iss":"https://id.example.test","sub":"user-1","jti":"j","client_id":"cli","sid":"s",` +
      `"iat":${now},"roles":["user"]${extra}}`
    )
  }
  function headerJson(extra: string): string {
    return `{"typ":"at+jwt","kid":"${rig.key.kid}"${extra}}`
  }
  const sign = (header: string, claims: string) => signRawRs256(rig.key.privateKey, header, claims)
  const goodClaims = () => claimsJson(`,"aud":"orders","exp":${now + 900}`)

  it('in the header: refused whenever the last value is bad', async () => {
    await rig.refused(sign(headerJson(',"alg":"RS256","alg":"none"'), goodClaims()))
    await rig.refused(sign(headerJson(',"alg":"RS256","alg":"HS256"'), goodClaims()))
    await rig.refused(sign(`{"alg":"RS256","kid":"${rig.key.kid}","typ":"at+jwt","typ":"JWT"}`, goodClaims()))
    await rig.refused(
      sign(`{"alg":"RS256","typ":"at+jwt","kid":"${rig.key.kid}","kid":"other"}`, goodClaims()),
    )
    await rig.refused(sign(headerJson(',"alg":"RS256","crit":[],"crit":["x"]'), goodClaims()))
    await rig.refused(sign(headerJson(',"alg":"RS256","jku":"x","jku":null'), goodClaims()))
  })

  it('in the header: the last value is the one checked (a first "none" is overridden)', async () => {
    await rig.accepted(sign(headerJson(',"alg":"none","alg":"RS256"'), goodClaims()))
  })

  it('duplicate exp: the last wins, for the verdict and for the claims returned', async () => {
    await rig.refused(
      sign(headerJson(',"alg":"RS256"'), claimsJson(`,"aud":"orders","exp":${now + 900},"exp":${now - 900}`)),
      'token_expired',
    )
    const claims = await rig.accepted(
      sign(headerJson(',"alg":"RS256"'), claimsJson(`,"aud":"orders","exp":${now - 900},"exp":${now + 900}`)),
    )
    expect(claims.exp).toBe(now + 900)
  })

  it('duplicate aud and iss: the last wins, for the verdict and for the claims returned', async () => {
    await rig.refused(
      sign(headerJson(',"alg":"RS256"'), claimsJson(`,"exp":${now + 900},"aud":"orders","aud":"billing"`)),
    )
    await rig.refused(
      sign(headerJson(',"alg":"RS256"'), claimsJson(`,"exp":${now + 900},"aud":"orders","aud":[]`)),
    )
    const claims = await rig.accepted(
      sign(headerJson(',"alg":"RS256"'), claimsJson(`,"exp":${now + 900},"aud":"billing","aud":"orders"`)),
    )
    expect(claims.aud).toBe('orders')
    const evilLast = claimsJson(`,"aud":"orders","exp":${now + 900},"iss":"https://evil.test"`)
    await rig.refused(sign(headerJson(',"alg":"RS256"'), evilLast))
  })

  it('duplicate roles: the caller sees exactly the last list', async () => {
    const claims = await rig.accepted(
      sign(
        headerJson(',"alg":"RS256"'),
        claimsJson(`,"aud":"orders","exp":${now + 900},"roles":["admin"],"roles":[]`),
      ),
    )
    expect(claims.roles).toEqual([])
  })
})
