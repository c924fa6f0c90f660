import { generate } from 'otplib'
import { describe, expect, it } from 'vitest'
import { matchTotpStep, newTotpSecret } from './totp-code.ts'

// RFC 6238 Appendix B, SHA-1 rows: the seed is ASCII "12345678901234567890" (base32 below), 8
// digits. A 6-digit code is the same value mod 10^6 (RFC 4226 §5.3), so its last six digits.
const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
]

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)(
    'at T=%i the library gives the Appendix B code %s, and ours matches its last six digits',
    async (t, code) => {
      expect(await generate({ secret: SEED, epoch: t, digits: 8, algorithm: 'sha1', period: 30 })).toBe(code)
      expect(await matchTotpStep(SEED, code.slice(2), t * 1000)).toBe(Math.floor(t / 30))
    },
  )

  it('accepts one step of drift either way, not two', async () => {
    const t = 1_800_000_015
    const at = (epoch: number) => generate({ secret: SEED, epoch, algorithm: 'sha1', digits: 6, period: 30 })
    const step = Math.floor(t / 30)
    expect(await matchTotpStep(SEED, await at(t - 30), t * 1000)).toBe(step - 1)
    expect(await matchTotpStep(SEED, await at(t + 30), t * 1000)).toBe(step + 1)
    expect(await matchTotpStep(SEED, await at(t - 60), t * 1000)).toBeNull()
    expect(await matchTotpStep(SEED, await at(t + 60), t * 1000)).toBeNull()
  })

  it('refuses what is not six digits without asking the library', async () => {
    for (const code of ['', '12345', '1234567', 'abcdef', ' 123456', '12 345']) {
      expect(await matchTotpStep(SEED, code, 59_000)).toBeNull()
    }
  })

  it('makes 160-bit base32 secrets', () => {
    const secret = newTotpSecret()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(newTotpSecret()).not.toBe(secret)
  })
})
