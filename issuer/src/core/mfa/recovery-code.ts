// Recovery codes: the way back in when the authenticator is lost. Ten per set, each 10 characters
// of a 31-letter alphabet without look-alikes (49 bits), shown as `xxxxx-xxxxx`; only a keyed digest
// (HMAC under the MFA key, bound to the user) of the normalised code is stored, so case, spaces and
// dashes do not matter when typed back, and a dump of the store alone cannot be searched for them.
import type { SecretBox } from './secret-box.ts'

export const RECOVERY_CODE_COUNT = 10
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789' // no 0/o, 1/l/i
const LENGTH = 10

/** A new set of codes, as shown once to the user. */
export function newRecoveryCodes(random: (size: number) => Buffer): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let code = ''
    // Rejection sampling keeps every letter equally likely (256 is not a multiple of 31).
    while (code.length < LENGTH) {
      for (const byte of random(LENGTH * 2)) {
        if (byte < ALPHABET.length * 8 && code.length < LENGTH) code += ALPHABET[byte % ALPHABET.length]
      }
    }
    return `${code.slice(0, 5)}-${code.slice(5)}`
  })
}

/**
 * The stored form of a user's typed code: the box's keyed digest of it lower-cased without spaces
 * or dashes; null when it cannot be one.
 */
export function hashRecoveryCode(
  typed: string,
  box: Pick<SecretBox, 'digest'>,
  userId: string,
): string | null {
  const normal = typed.toLowerCase().replace(/[\s-]/g, '')
  if (normal.length !== LENGTH || ![...normal].every((ch) => ALPHABET.includes(ch))) return null
  return box.digest(normal, `recovery-code:${userId}`)
}
