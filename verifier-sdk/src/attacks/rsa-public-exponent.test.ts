import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { jsonSegment } from '../testing/forge.ts'
import { createTestKey } from '../testing/test-key.ts'

/**
 * A JWKS entry whose RSA public exponent is 1: with e = 1 anyone forges RS256, since the
 * "signature" is the PKCS#1 v1.5 encoded digest itself. Such keys must be ignored.
 */
describe('attack: an RSA key with public exponent 1 in the JWKS', () => {
  const modulusDonor = createTestKey('RS256')
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig({ extraJwks: [{ ...modulusDonor.publicJwk, kid: 'e-one', e: 'AQ' }] })
  })
  afterAll(() => rig.close())

  it('never verifies a signature forged without any private key', async () => {
    const input = `${jsonSegment({ alg: 'RS256', typ: 'at+jwt', kid: 'e-one' })}.${jsonSegment(rig.claims({ roles: ['admin'] }))}`
    const digestInfo = Buffer.concat([
      Buffer.from('3031300d060960864801650304020105000420', 'hex'),
      createHash('sha256').update(input).digest(),
    ])
    const encoded = Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.alloc(256 - 3 - digestInfo.length, 0xff),
      Buffer.from([0]),
      digestInfo,
    ])
    await rig.refused(`${input}.${encoded.toString('base64url')}`)
  })
})
