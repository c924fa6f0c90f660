import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hashRecoveryCode, newRecoveryCodes } from './recovery-code.ts'

describe('recovery codes', () => {
  it('are ten distinct xxxxx-xxxxx codes', () => {
    const codes = newRecoveryCodes(randomBytes)
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/)
  })

  it('hash alike whatever the case, spaces and dashes', () => {
    const [code] = newRecoveryCodes(randomBytes) as [string]
    const hash = hashRecoveryCode(code)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(hashRecoveryCode(code.toUpperCase())).toBe(hash)
    expect(hashRecoveryCode(` ${code.replace('-', ' ')} `)).toBe(hash)
    expect(hashRecoveryCode(code.replace('-', ''))).toBe(hash)
    expect(hashRecoveryCode('short')).toBeNull()
    expect(hashRecoveryCode('0000000000')).toBeNull()
  })
})
