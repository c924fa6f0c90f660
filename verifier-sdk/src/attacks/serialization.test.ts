import { sign } from 'node:crypto'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { b64url, jsonSegment, segments, signRawRs256 } from '../testing/forge.ts'
import { createTestKey } from '../testing/test-key.ts'

/** The SDK accepts the JWS compact serialization and nothing else (no JSON serialization, no JWE). */
describe('attack: segment counts, other serializations, JWE and nested JWTs', () => {
  let rig: AttackRig
  let good: string
  beforeAll(async () => {
    rig = await startAttackRig()
    good = rig.token()
    await rig.accepted(good)
  })
  afterAll(() => rig.close())

  it('refuses 1, 2, 4 and 5 parts, and empty parts', async () => {
    const [h, p, s] = segments(good)
    const shapes = [
      h,
      `${h}.${p}`,
      `${h}.${p}.${s}.${s}`,
      `${h}.${p}.${s}.`,
      `${h}.${p}.${s}.${p}.${s}`,
      `.${p}.${s}`,
      `${h}..${s}`,
      `${h}.${p}.`,
      '..',
      '...',
      '.',
      `${good}.`,
      `.${good}`,
      `${h}.${p}..${s}`,
    ]
    for (const token of shapes) await rig.refused(token)
  })

  it('refuses padded, standard-alphabet, whitespace-bearing and non-ASCII variants of a good token', async () => {
    const [h, p, s] = segments(good)
    const standard = (part: string) => Buffer.from(part, 'base64url').toString('base64')
    const variants = [
      `${standard(h)}.${standard(p)}.${standard(s)}`,
      `${h}=.${p}.${s}`,
      `${h}.${p}.${s}==`,
      ` ${good}`,
      `${good} `,
      `${good}\n`,
      `${h}.\n${p}.${s}`,
      `${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`,
      `${h}.${p}.${s.slice(0, 10)}\u00e9${s.slice(10)}`,
      `${h}.${p}.${s.slice(0, 10)}\u0000${s.slice(10)}`,
    ]
    for (const token of variants) await rig.refused(token)
  })

  it('refuses the JWS JSON serialization, general and flattened, with a valid signature', async () => {
    const [h, p, s] = segments(good)
    const flattened = JSON.stringify({ payload: p, protected: h, signature: s })
    const general = JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }] })
    const withHeader = JSON.stringify({
      payload: p,
      protected: h,
      header: { kid: rig.key.kid },
      signature: s,
    })
    for (const token of [flattened, general, withHeader, b64url(flattened), b64url(general)]) {
      await rig.refused(token)
    }
  })

  it('refuses JWE-shaped input: five parts with an enc header, and alg values of JWE', async () => {
    const jweHeader = jsonSegment({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: rig.key.kid, typ: 'at+jwt' })
    const bytes = (n: number) => b64url(Buffer.alloc(n, 7))
    await rig.refused(`${jweHeader}.${bytes(256)}.${bytes(12)}.${bytes(64)}.${bytes(16)}`)
    await rig.refused(`${jweHeader}..${bytes(12)}.${bytes(64)}.${bytes(16)}`)
    for (const alg of ['dir', 'RSA-OAEP', 'RSA1_5', 'A128KW', 'ECDH-ES']) {
      await rig.refused(rig.key.sign({ alg, enc: 'A256GCM', kid: rig.key.kid, typ: 'at+jwt' }, rig.claims()))
    }
  })

  it('refuses nested JWTs (cty JWT): the payload must be the claims themselves', async () => {
    const inner = rig.token({ roles: ['admin'] })
    const nestedHeader = { alg: 'RS256', kid: rig.key.kid, typ: 'at+jwt', cty: 'JWT' }
    const attacker = createTestKey('RS256')
    // A properly nested token: the outer payload is the inner JWS text, signed by the issuer.
    const input = `${jsonSegment(nestedHeader)}.${b64url(inner)}`
    const outer = `${input}.${sign('sha256', Buffer.from(input), rig.key.privateKey).toString('base64url')}`
    await rig.refused(outer)
    // The inner token as a JSON string, by the issuer; and a valid inner wrapped by the attacker.
    await rig.refused(signRawRs256(rig.key.privateKey, JSON.stringify(nestedHeader), JSON.stringify(inner)))
    await rig.refused(attacker.sign({ ...nestedHeader, kid: attacker.kid }, rig.claims()))
    // An unsecured inner token inside a real outer one.
    const none = `${jsonSegment({ alg: 'none', typ: 'at+jwt' })}.${segments(inner)[1]}.`
    await rig.refused(signRawRs256(rig.key.privateKey, JSON.stringify(nestedHeader), JSON.stringify(none)))
  })

  it('refuses a validly signed payload that is not a JSON object', async () => {
    for (const payload of ['"claims"', '[]', '[{"sub":"x"}]', 'null', '42', 'true', '{"sub":', '']) {
      const input = `${jsonSegment({ alg: 'RS256', kid: rig.key.kid, typ: 'at+jwt' })}.${b64url(payload)}`
      await rig.refused(
        `${input}.${sign('sha256', Buffer.from(input), rig.key.privateKey).toString('base64url')}`,
      )
    }
  })
})
