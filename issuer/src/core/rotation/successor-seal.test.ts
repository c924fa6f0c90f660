import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { newRefreshToken } from '../tokens/refresh-token.ts'
import { openSuccessor, sealSuccessor } from './successor-seal.ts'

/** A seal made the way earlier versions did (node's hkdfSync): still opens after the upgrade. */
function sealWithHkdfSync(successor: string, presented: string): string {
  const key = Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(presented),
      Buffer.from('tokensmith'),
      Buffer.from('tokensmith refresh successor v1'),
      32,
    ),
  )
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()])
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')
}

describe('successor seal', () => {
  it('opens with the presented token', () => {
    const presented = newRefreshToken()
    const successor = newRefreshToken()
    expect(openSuccessor(sealSuccessor(successor, presented), presented)).toBe(successor)
  })

  it('is useless without the presented token', () => {
    const sealed = sealSuccessor(newRefreshToken(), newRefreshToken())
    expect(openSuccessor(sealed, newRefreshToken())).toBeNull()
  })

  it('rejects a tampered or truncated seal', () => {
    const presented = newRefreshToken()
    const raw = Buffer.from(sealSuccessor(newRefreshToken(), presented), 'base64url')
    raw[20] = (raw[20] ?? 0) ^ 1
    expect(openSuccessor(raw.toString('base64url'), presented)).toBeNull()
    expect(openSuccessor(raw.subarray(0, 20).toString('base64url'), presented)).toBeNull()
  })

  it('derives the same key as HKDF-SHA256, so seals made before still open', () => {
    for (let i = 0; i < 20; i++) {
      const presented = newRefreshToken()
      const successor = newRefreshToken()
      expect(openSuccessor(sealWithHkdfSync(successor, presented), presented)).toBe(successor)
    }
  })

  it('never contains the successor in the clear', () => {
    const successor = newRefreshToken()
    const sealed = sealSuccessor(successor, newRefreshToken())
    expect(sealed).not.toContain(successor.slice(3))
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain(successor)
  })
})
