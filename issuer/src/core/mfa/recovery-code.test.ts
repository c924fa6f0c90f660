import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hashRecoveryCode, newRecoveryCodes } from './recovery-code.ts'
import { createSecretBox } from './secret-box.ts'

const box = createSecretBox(randomBytes(32))

describe('recovery codes', () => {
  it('are ten distinct xxxxx-xxxxx codes', () => {
    const codes = newRecoveryCodes(randomBytes)
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/)
  })

  it('hash alike whatever the case, spaces and dashes', () => {
    const [code] = newRecoveryCodes(randomBytes) as [string]
    const hash = hashRecoveryCode(code, box, 'u1')
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(hashRecoveryCode(code.toUpperCase(), box, 'u1')).toBe(hash)
    expect(hashRecoveryCode(` ${code.replace('-', ' ')} `, box, 'u1')).toBe(hash)
    expect(hashRecoveryCode(code.replace('-', ''), box, 'u1')).toBe(hash)
    expect(hashRecoveryCode('short', box, 'u1')).toBeNull()
    expect(hashRecoveryCode('0000000000', box, 'u1')).toBeNull()
  })

  it('are stored as a keyed digest: not a plain hash, another for another user or another key', () => {
    const [code] = newRecoveryCodes(randomBytes) as [string]
    const normal = code.replace('-', '')
    const hash = hashRecoveryCode(code, box, 'u1')
    // A dump of the store alone cannot be searched: the stored value is no hash of the code.
    expect(hash).not.toBe(createHash('sha256').update(normal).digest('hex'))
    expect(hashRecoveryCode(code, box, 'u2')).not.toBe(hash)
    expect(hashRecoveryCode(code, createSecretBox(randomBytes(32)), 'u1')).not.toBe(hash)
  })
})
