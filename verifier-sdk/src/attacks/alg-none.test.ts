import { sign } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { JWKS_PATH } from '../testing/counting-jwks-server.ts'
import { jsonSegment, segments } from '../testing/forge.ts'

// RFC 8725 3.1/3.2: `none` is an algorithm a verifier must never let the token choose.
const SPELLINGS = ['none', 'None', 'NONE', 'nOnE']

describe('attack: alg none', () => {
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig()
  })
  afterAll(() => rig.close())

  function unsecured(alg: string): { input: string; claims: string } {
    const good = rig.token({ roles: ['admin'] })
    const header = jsonSegment({ alg, kid: rig.key.kid, typ: 'at+jwt' })
    return { input: `${header}.${segments(good)[1]}`, claims: segments(good)[1] }
  }

  for (const alg of SPELLINGS) {
    it(`refuses alg "${alg}" with an empty signature, with none at all, and with a signature left on`, async () => {
      const before = rig.server.count(JWKS_PATH)
      const { input } = unsecured(alg)
      const realSignature = segments(rig.token())[2]
      // A signature the issuer's key really made over this very header and payload.
      const validOverInput = sign('sha256', Buffer.from(input), rig.key.privateKey).toString('base64url')
      for (const token of [`${input}.`, input, `${input}.${realSignature}`, `${input}.${validOverInput}`]) {
        await rig.refused(token)
      }
      // Refused at the header: no key was looked for.
      expect(rig.server.count(JWKS_PATH)).toBe(before)
      expect(rig.server.strayRequests()).toBe(0)
    })
  }

  it('refuses none spelled with padding, as a list, or beside a pinned alg', async () => {
    const payload = segments(rig.token())[1]
    for (const alg of [' none', 'none ', 'none\u0000', ['none'], ['RS256', 'none'], null, '', 'RS256none']) {
      const header = jsonSegment({ alg, kid: rig.key.kid, typ: 'at+jwt' })
      await rig.refused(`${header}.${payload}.`)
      const signed = rig.key.sign({ alg, kid: rig.key.kid, typ: 'at+jwt' }, { iss: 'x' })
      await rig.refused(signed)
    }
  })

  it('still accepts the same claims under the pinned RS256 (the refusals above are about alg alone)', async () => {
    await rig.accepted(rig.token({ roles: ['admin'] }))
  })
})
