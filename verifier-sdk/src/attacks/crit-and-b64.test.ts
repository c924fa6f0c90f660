import { sign } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { b64url, jsonSegment } from '../testing/forge.ts'

/**
 * RFC 7515 4.1.11: a recipient must refuse a JWS whose `crit` names an extension it does not
 * understand. The SDK understands none, so any `crit` is refused, even one naming a registered
 * parameter. RFC 7797 (`b64: false`) is such an extension: the SDK never verifies an unencoded payload.
 */
describe('attack: crit and b64', () => {
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig()
  })
  afterAll(() => rig.close())

  const CRIT_HEADERS: Record<string, Record<string, unknown>> = {
    'an unknown extension it names and carries': { crit: ['x-tenant'], 'x-tenant': 'evil' },
    'an unknown extension it names but lacks': { crit: ['x-tenant'] },
    'b64 with b64 false': { crit: ['b64'], b64: false },
    'b64 with b64 true': { crit: ['b64'], b64: true },
    'a registered claim (exp)': { crit: ['exp'] },
    'a registered header (kid)': { crit: ['kid'] },
    'an empty list': { crit: [] },
    'a string instead of a list': { crit: 'x-tenant' },
    null: { crit: null },
  }

  for (const [name, extra] of Object.entries(CRIT_HEADERS)) {
    it(`refuses crit: ${name}, though the issuer's key signed it`, async () => {
      await rig.refused(rig.token({}, extra))
    })
  }

  it('refuses b64:false tokens signed over the unencoded payload (RFC 7797), compact or detached', async () => {
    const header = jsonSegment({ alg: 'RS256', kid: rig.key.kid, typ: 'at+jwt', b64: false, crit: ['b64'] })
    const payload = JSON.stringify(rig.claims())
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), rig.key.privateKey).toString(
      'base64url',
    )
    await rig.refused(`${header}.${payload}.${signature}`)
    await rig.refused(`${header}..${signature}`)
    // The same without crit: the unencoded-payload signature does not cover the base64url form.
    const bare = jsonSegment({ alg: 'RS256', kid: rig.key.kid, typ: 'at+jwt', b64: false })
    const bareSignature = sign('sha256', Buffer.from(`${bare}.${payload}`), rig.key.privateKey)
    await rig.refused(`${bare}.${b64url(payload)}.${bareSignature.toString('base64url')}`)
  })

  it('b64 without crit is an unknown header ignored (RFC 7515 4): the payload is still base64url', async () => {
    // Only the issuer could sign this; the SDK reads the payload exactly as for any other token.
    const claims = await rig.accepted(rig.token({ sub: 'b64-ignored' }, { b64: false }))
    expect(claims.sub).toBe('b64-ignored')
  })
})
