import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import type { RandomBytes } from '../tokens/random-source.ts'

// The grace-window retry must hand back the successor token, but the database must not hold a
// usable secret. So the successor is sealed with AES-256-GCM under a key derived (HKDF-SHA256)
// from the presented token, which only its holder has.
const INFO = Buffer.from('tokensmith refresh successor v1')
const SALT = Buffer.from('tokensmith')
const FIRST_BLOCK = Buffer.from([1])

/**
 * HKDF-SHA256 (RFC 5869) with a 32-byte output, written as its two HMACs: the same bytes as
 * `hkdfSync('sha256', token, SALT, INFO, 32)`, at lower cost (docs/performance.md; hkdfSync builds key
 * objects and a crypto job per call, and this runs on every refresh).
 */
function keyFrom(presentedToken: string): Buffer {
  const prk = createHmac('sha256', SALT).update(presentedToken).digest()
  return createHmac('sha256', prk).update(INFO).update(FIRST_BLOCK).digest()
}

export function sealSuccessor(
  successor: string,
  presentedToken: string,
  random: RandomBytes = randomBytes,
): string {
  const iv = random(12)
  const cipher = createCipheriv('aes-256-gcm', keyFrom(presentedToken), iv)
  const body = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()])
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')
}

/** Returns null when the seal was not made with this token (or was tampered with). */
export function openSuccessor(sealed: string, presentedToken: string): string | null {
  const raw = Buffer.from(sealed, 'base64url')
  if (raw.length < 12 + 16 + 1) return null
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(presentedToken), raw.subarray(0, 12))
    decipher.setAuthTag(raw.subarray(raw.length - 16))
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
      'utf8',
    )
  } catch {
    return null
  }
}
