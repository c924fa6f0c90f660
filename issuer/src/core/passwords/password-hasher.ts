// Password hashing for login and the users CLI. Async scrypt runs on libuv's thread pool, so the
// event loop keeps answering JWKS and health checks while logins are in flight. An unknown user
// (or an unreadable stored hash) is checked against a dummy hash of the current cost, so it costs
// the same scrypt work as a wrong password and the caller can answer both identically.
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'
import { PasswordError } from '../../errors.ts'
import { DEFAULT_SCRYPT_COST, type ScryptCost, scryptCostProblem, scryptMemory } from './scrypt-cost.ts'
import { formatScryptHash, parseScryptHash, type ScryptHash } from './scrypt-format.ts'

export const DEFAULT_MAX_PASSWORD_BYTES = 1024
const SALT_BYTES = 16
const KEY_BYTES = 32

export interface PasswordHasherOptions {
  cost?: ScryptCost
  /** Longer passwords (UTF-8 bytes) are refused before any hashing; default 1024. */
  maxPasswordBytes?: number
}

export interface VerifyResult {
  ok: boolean
  /** True only when `ok` and the stored hash was made with other parameters than the current cost. */
  needsRehash: boolean
}

export interface PasswordHasher {
  /** A fresh self-describing hash at the current cost. Throws PasswordError when empty or too long. */
  hash(password: string): Promise<string>
  /** `encoded` null means "no such user": same work, ok false. Throws PasswordError when too long. */
  verify(password: string, encoded: string | null): Promise<VerifyResult>
  readonly maxPasswordBytes: number
  readonly cost: Readonly<ScryptCost>
}

function derive(password: string, salt: Buffer, cost: ScryptCost, keylen: number): Promise<Buffer> {
  const N = 2 ** cost.logN
  // Explicit maxmem: Node's 32 MiB default would reject N=2^15,r=8 and any higher cost.
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: scryptMemory(cost) + 1024 * 1024 }
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)))
  })
}

function sameCost(a: ScryptCost, b: ScryptCost): boolean {
  return a.logN === b.logN && a.r === b.r && a.p === b.p
}

export function createPasswordHasher(opts: PasswordHasherOptions = {}): PasswordHasher {
  const cost: Readonly<ScryptCost> = Object.freeze({ ...(opts.cost ?? DEFAULT_SCRYPT_COST) })
  const costProblem = scryptCostProblem(cost)
  if (costProblem !== null) throw new TypeError(`cost: ${costProblem}`)
  const maxPasswordBytes = opts.maxPasswordBytes ?? DEFAULT_MAX_PASSWORD_BYTES
  if (!Number.isInteger(maxPasswordBytes) || maxPasswordBytes < 1 || maxPasswordBytes > 65536) {
    throw new TypeError('maxPasswordBytes: must be an integer from 1 to 65536')
  }

  // A random salt and key: verifying against it is one full scrypt at the current cost that can
  // never succeed. Made on first use, per hasher, so importing this module costs nothing.
  let dummy: ScryptHash | undefined
  const dummyHash = (): ScryptHash => {
    dummy ??= { cost, salt: randomBytes(SALT_BYTES), hash: randomBytes(KEY_BYTES) }
    return dummy
  }

  const checkLength = (password: string): void => {
    if (typeof password !== 'string') throw new TypeError('password: must be a string')
    // Cheap upper bound first, so a huge string is not encoded just to be measured.
    if (password.length > maxPasswordBytes || Buffer.byteLength(password, 'utf8') > maxPasswordBytes) {
      throw new PasswordError('password_too_long', `password is longer than ${maxPasswordBytes} bytes`)
    }
  }

  return {
    maxPasswordBytes,
    cost,
    async hash(password) {
      checkLength(password)
      if (password.length === 0) throw new PasswordError('password_empty', 'password is empty')
      const salt = randomBytes(SALT_BYTES)
      const hash = await derive(password, salt, cost, KEY_BYTES)
      return formatScryptHash({ cost, salt, hash })
    },
    async verify(password, encoded) {
      checkLength(password)
      const stored = encoded === null ? null : parseScryptHash(encoded)
      const target = stored ?? dummyHash()
      const key = await derive(password, target.salt, target.cost, target.hash.length)
      const match = timingSafeEqual(key, target.hash)
      if (stored === null || !match) return { ok: false, needsRehash: false }
      const needsRehash =
        !sameCost(stored.cost, cost) || stored.salt.length !== SALT_BYTES || stored.hash.length !== KEY_BYTES
      return { ok: true, needsRehash }
    },
  }
}
