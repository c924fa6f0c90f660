// Errors that mean "the store cannot serve right now" (disk full, read-only file, lock timeout,
// lost connection), as opposed to a bug. They answer 503 so clients and load balancers retry,
// instead of a 500 that reads like a defect. Drivers name them differently; match their codes.

const SQLITE = /^SQLITE_(FULL|READONLY|BUSY|LOCKED|IOERR|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
])
// PostgreSQL SQLSTATE classes: 08 connection, 53 insufficient resources, 57 operator intervention.
const PG_SQLSTATE = /^(08|53|57)[0-9A-Z]{3}$/
const MESSAGES = [
  /database connection is not open/i,
  /connection is closed/i,
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /reached the max retries/i,
  /stream isn't writeable/i,
]

export function isStoreUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (SQLITE.test(code) || NETWORK.has(code) || PG_SQLSTATE.test(code)))
      return true
    if (MESSAGES.some((m) => m.test(e instanceof Error ? e.message : ''))) return true
  }
  return false
}
