// The self-describing, PHC-like string a password hash is stored as:
//   $scrypt$ln=15,r=8,p=1$<salt base64url>$<hash base64url>
// It records its own parameters so that hashes made at an older cost still verify and can be
// rehashed on the next login. Parsing is strict and bounded: the string comes from the database,
// and a tampered one must neither throw nor make us allocate gigabytes.
import { SCRYPT_LIMITS, type ScryptCost, scryptCostProblem } from './scrypt-cost.ts'

export interface ScryptHash {
  cost: ScryptCost
  salt: Buffer
  hash: Buffer
}

export function formatScryptHash({ cost, salt, hash }: ScryptHash): string {
  return `$scrypt$ln=${cost.logN},r=${cost.r},p=${cost.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`
}

// Canonical decimal (no leading zeros, no sign) and canonical unpadded base64url only, so one
// hash has exactly one spelling.
const FORMAT =
  /^\$scrypt\$ln=([1-9][0-9]{0,2}),r=([1-9][0-9]{0,2}),p=([1-9][0-9]{0,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/

function decode(text: string, min: number, max: number): Buffer | null {
  const bytes = Buffer.from(text, 'base64url')
  if (bytes.length < min || bytes.length > max) return null
  return bytes.toString('base64url') === text ? bytes : null
}

/** The parsed hash, or null when the string is not one we produced or would accept. Never throws. */
export function parseScryptHash(encoded: unknown): ScryptHash | null {
  if (typeof encoded !== 'string' || encoded.length > 512) return null
  const m = FORMAT.exec(encoded)
  if (m === null) return null
  const [, ln, r, p, saltText, hashText] = m
  if (!ln || !r || !p || !saltText || !hashText) return null
  const cost = { logN: Number(ln), r: Number(r), p: Number(p) }
  if (scryptCostProblem(cost) !== null) return null
  const salt = decode(saltText, SCRYPT_LIMITS.minSaltBytes, SCRYPT_LIMITS.maxSaltBytes)
  const hash = decode(hashText, SCRYPT_LIMITS.minHashBytes, SCRYPT_LIMITS.maxHashBytes)
  if (salt === null || hash === null) return null
  return { cost, salt, hash }
}
