// The scrypt cost parameters: the default, the bounds we create and accept, and the memory a cost
// needs (so `maxmem` is explicit and a tampered stored cost cannot ask for gigabytes).

export interface ScryptCost {
  /** log2 of the CPU/memory cost N. */
  logN: number
  /** Block size. */
  r: number
  /** Parallelisation. */
  p: number
}

/** The default: N=2^15, r=8, 32 MiB per hash (login latency in docs/performance.md). Below OWASP's
 *  current N=2^17 advice, for login latency on two cores; raise it (SCRYPT_LOG_N) where memory allows. */
export const DEFAULT_SCRYPT_COST: Readonly<ScryptCost> = Object.freeze({ logN: 15, r: 8, p: 1 })

/** Bounds for costs we create and accept: enough for any sane deployment, never absurd memory. */
export const SCRYPT_LIMITS = {
  minLogN: 10,
  maxLogN: 20,
  maxR: 32,
  maxP: 16,
  /** Bound on scrypt's big array (128·N·r bytes): 1 GiB, i.e. N=2^20 with r=8, the issuer's
   *  highest SCRYPT_LOG_N. Also caps what a tampered stored hash can make a login allocate. */
  maxMemory: 1024 * 1024 * 1024,
  /** Salt and key lengths accepted when parsing (we produce 16 and 32). */
  minSaltBytes: 16,
  maxSaltBytes: 64,
  minHashBytes: 16,
  maxHashBytes: 64,
} as const

/** Exactly what OpenSSL checks against `maxmem` (its B and V arrays), so we can pass it explicitly. */
export function scryptMemory(cost: ScryptCost): number {
  return 128 * cost.r * (2 ** cost.logN + cost.p + 2)
}

/** Null when the cost is valid, else why not (names the field). */
export function scryptCostProblem(cost: ScryptCost): string | null {
  const { minLogN, maxLogN, maxR, maxP, maxMemory } = SCRYPT_LIMITS
  if (!Number.isInteger(cost.logN) || cost.logN < minLogN || cost.logN > maxLogN) {
    return `logN must be an integer from ${minLogN} to ${maxLogN}`
  }
  if (!Number.isInteger(cost.r) || cost.r < 1 || cost.r > maxR)
    return `r must be an integer from 1 to ${maxR}`
  if (!Number.isInteger(cost.p) || cost.p < 1 || cost.p > maxP)
    return `p must be an integer from 1 to ${maxP}`
  if (128 * 2 ** cost.logN * cost.r > maxMemory) {
    return `logN and r need more than ${maxMemory / 2 ** 20} MiB (128 * 2^logN * r)`
  }
  return null
}
