// Seals secrets that must be read back (TOTP seeds) under a key kept outside the database, so a
// dump of the store alone yields nothing usable. AES-256-GCM with a fresh random 96-bit IV per seal
// (NIST SP 800-38D §8.2.2); the format is versioned so the cipher or key can change later.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'

export interface SecretBox {
  /** `v1.<iv>.<ciphertext>.<tag>` (base64url); `context` is bound as associated data (a user id). */
  seal(plaintext: string, context: string): string
  /** The plaintext, or throws when the sealed text was altered, sealed for another context or key. */
  open(sealed: string, context: string): string
  /**
   * A keyed digest (HMAC-SHA-256, hex) of a secret that is only ever compared, never read back
   * (recovery codes): without the key, a dump of the store cannot be searched for the codes.
   * `context` (a user id) is bound in, so equal codes of two users digest apart.
   */
  digest(value: string, context: string): string
}

export const SECRET_BOX_KEY_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16
const VERSION = 'v1'
const SEALED = /^v1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})$/

export function createSecretBox(key: Buffer, random: (size: number) => Buffer = randomBytes): SecretBox {
  if (key.length !== SECRET_BOX_KEY_BYTES) throw new Error(`the key must be ${SECRET_BOX_KEY_BYTES} bytes`)
  // A copy: the caller's buffer may be zeroed or reused.
  const k = Buffer.from(key)
  // A key of its own for digests: the cipher's key is used for nothing else.
  const macKey = Buffer.from(hkdfSync('sha256', k, Buffer.alloc(0), 'tokensmith mfa digest v1', 32))
  return {
    digest(value, context) {
      return createHmac('sha256', macKey).update(`${context}\u0000${value}`, 'utf8').digest('hex')
    },
    seal(plaintext, context) {
      const iv = random(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', k, iv, { authTagLength: TAG_BYTES })
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      const parts = [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url'))
      return [VERSION, ...parts].join('.')
    },
    open(sealed, context) {
      const m = SEALED.exec(sealed)
      if (m === null) throw new Error('not a sealed secret of a known version')
      const [iv, body, tag] = [m[1], m[2], m[3]].map((s) => Buffer.from(s as string, 'base64url')) as [
        Buffer,
        Buffer,
        Buffer,
      ]
      const decipher = createDecipheriv('aes-256-gcm', k, iv, { authTagLength: TAG_BYTES })
      decipher.setAAD(Buffer.from(context, 'utf8'))
      decipher.setAuthTag(tag)
      try {
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')
      } catch {
        // The message names no byte of the input: tampering or a wrong key look alike.
        throw new Error('the sealed secret does not open with this key')
      }
    },
  }
}
