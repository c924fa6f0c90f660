import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { segments } from '../testing/forge.ts'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * The last character of a 256-byte signature carries 4 unused bits. A lenient base64url decoder
 * ignores them, which would make 15 other spellings of every issued token verify (RFC 4648 3.5
 * lets a decoder refuse them, and we do).
 */
describe('attack: non-canonical base64url in the signature', () => {
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig()
  })
  afterAll(() => rig.close())

  it('refuses a signature whose unused trailing bits are set', async () => {
    const good = rig.token()
    const [h, p, s] = segments(good)
    const last = ALPHABET.indexOf(s.slice(-1))
    expect(last & 0b1111).toBe(0) // canonical: the 4 slack bits are zero
    const twin = `${h}.${p}.${s.slice(0, -1)}${ALPHABET[last | 0b0001]}`
    expect(Buffer.from(segments(twin)[2], 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true)
    await rig.refused(twin)
  })
})
