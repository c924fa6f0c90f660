import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { JWKS_PATH } from '../testing/counting-jwks-server.ts'
import { createTestKey } from '../testing/test-key.ts'

// RFC 8725 3.10: a token must not choose the key that verifies it. The SDK refuses the headers
// outright (it never fetches, parses or trusts them), even when the key they name is the real one.
describe('attack: jwk, jku, x5u and x5c headers', () => {
  const attacker = createTestKey('RS256')
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig()
    // What a verifier that followed jku/x5u to our counting server would find: the attacker's key.
    rig.server.lure = [{ ...attacker.publicJwk, kid: rig.key.kid }, attacker.publicJwk]
  })
  afterAll(() => rig.close())

  function references(): Record<string, Record<string, unknown>> {
    // Not a real certificate: x5c is refused by its presence, so its content is never parsed.
    const spkiDer = (jwk: Record<string, unknown>) => Buffer.from(JSON.stringify(jwk)).toString('base64')
    return {
      'jku at the attacker': { jku: `${rig.server.origin}/attacker/jwks.json` },
      'jku at the real JWKS': { jku: rig.server.jwksUrl },
      'x5u at the attacker': { x5u: `${rig.server.origin}/attacker/cert.pem` },
      'embedded jwk of the attacker': { jwk: attacker.publicJwk },
      'embedded jwk of the issuer': { jwk: rig.key.publicJwk },
      'x5c chain': { x5c: [spkiDer(attacker.publicJwk)] },
      'x5c empty': { x5c: [] },
      'jku null': { jku: null },
      'every one at once': {
        jku: `${rig.server.origin}/attacker/jwks.json`,
        x5u: `${rig.server.origin}/attacker/cert.pem`,
        jwk: attacker.publicJwk,
        x5c: [spkiDer(attacker.publicJwk)],
      },
    }
  }

  it('refuses each, signed by the attacker or by the issuer itself, and fetches nothing', async () => {
    const jwksBefore = rig.server.count(JWKS_PATH)
    for (const [name, header] of Object.entries(references())) {
      for (const signer of [attacker, rig.key]) {
        for (const kid of [rig.key.kid, attacker.kid]) {
          const token = signer.sign({ alg: 'RS256', typ: 'at+jwt', kid, ...header }, rig.claims({ sub: 'x' }))
          await rig.refused(token).catch((error: unknown) => {
            throw new Error(
              `${name}, signed by ${signer === attacker ? 'attacker' : 'issuer'}: ${String(error)}`,
            )
          })
        }
      }
    }
    expect(rig.server.count('/attacker/jwks.json')).toBe(0)
    expect(rig.server.count('/attacker/cert.pem')).toBe(0)
    expect(rig.server.strayRequests()).toBe(0)
    // Refused before any key lookup: not even the real JWKS was asked again.
    expect(rig.server.count(JWKS_PATH)).toBe(jwksBefore)
  })

  it('refuses the attacker key under the issuer kid (no header needed) without fetching elsewhere', async () => {
    await rig.refused(attacker.sign({ alg: 'RS256', typ: 'at+jwt', kid: rig.key.kid }, rig.claims()))
    expect(rig.server.strayRequests()).toBe(0)
  })
})
