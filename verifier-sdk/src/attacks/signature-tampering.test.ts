import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { b64url, segments } from '../testing/forge.ts'
import { createTestKey } from '../testing/test-key.ts'

function withSignature(token: string, signature: Uint8Array): string {
  const [h, p] = segments(token)
  return `${h}.${p}.${b64url(signature)}`
}

function signatureOf(token: string): Buffer {
  return Buffer.from(segments(token)[2], 'base64url')
}

describe('attack: stripped, truncated, padded and bit-flipped signatures', () => {
  let rig: AttackRig
  let good: string
  beforeAll(async () => {
    rig = await startAttackRig()
    good = rig.token({ roles: ['admin'] })
    await rig.accepted(good)
  })
  afterAll(() => rig.close())

  it('refuses a stripped signature, with or without its dot', async () => {
    const [h, p] = segments(good)
    await rig.refused(`${h}.${p}.`)
    await rig.refused(`${h}.${p}`)
  })

  it('refuses truncated and extended signatures', async () => {
    const signature = signatureOf(good)
    const variants = [
      signature.subarray(0, signature.length - 1),
      signature.subarray(1),
      signature.subarray(0, signature.length / 2),
      signature.subarray(0, 1),
      Buffer.concat([signature, Buffer.from([0])]),
      Buffer.concat([Buffer.from([0]), signature]), // same integer, one byte longer
      Buffer.concat([signature, signature]),
    ]
    for (const variant of variants) await rig.refused(withSignature(good, variant))
  })

  it('refuses the signature with any one of many bits flipped', async () => {
    const signature = signatureOf(good)
    const bits = signature.length * 8
    const positions = [
      0,
      1,
      2,
      7,
      8,
      15,
      64,
      255,
      256,
      1000,
      1024,
      1500,
      2000,
      bits - 9,
      bits - 8,
      bits - 2,
      bits - 1,
    ]
    for (const bit of positions) {
      const flipped = Buffer.from(signature)
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7))
      await rig.refused(withSignature(good, flipped)).catch((error: unknown) => {
        throw new Error(`bit ${bit}: ${String(error)}`)
      })
    }
  })

  it('refuses edge-case integers as signatures: 0, 1, n-1, n, all ones', async () => {
    const n = Buffer.from(String(rig.key.publicJwk.n), 'base64url')
    const nMinusOne = Buffer.from(n)
    nMinusOne[nMinusOne.length - 1] = (nMinusOne[nMinusOne.length - 1] ?? 1) - 1 // n is odd
    const one = Buffer.alloc(n.length)
    one[n.length - 1] = 1
    for (const value of [Buffer.alloc(n.length), one, nMinusOne, n, Buffer.alloc(n.length, 0xff)]) {
      await rig.refused(withSignature(good, value))
    }
  })

  it('refuses a bit flipped in the header or the payload under the original signature', async () => {
    const [h, p, s] = segments(good)
    for (const [part, which] of [
      [h, 'header'],
      [p, 'payload'],
    ] as const) {
      const bytes = Buffer.from(part, 'base64url')
      for (const at of [0, 5, bytes.length >> 1, bytes.length - 2]) {
        const flipped = Buffer.from(bytes)
        flipped[at] = (flipped[at] ?? 0) ^ 0x01
        const token = which === 'header' ? `${b64url(flipped)}.${p}.${s}` : `${h}.${b64url(flipped)}.${s}`
        await rig.refused(token)
      }
    }
  })

  it('refuses a signature moved from another token, or made by another key', async () => {
    const other = rig.token({ sub: 'someone-else' })
    await rig.refused(withSignature(good, signatureOf(other)))
    const stranger = createTestKey('RS256')
    await rig.refused(stranger.sign({ alg: 'RS256', kid: rig.key.kid, typ: 'at+jwt' }, rig.claims()))
    expect(rig.server.strayRequests()).toBe(0)
  })
})
