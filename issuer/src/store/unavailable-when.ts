// "The store cannot serve right now" (disk full, read-only file, lock timeout, lost connection),
// as opposed to a bug: the HTTP layer answers it with a 503 that clients and load balancers
// retry, instead of a 500 that reads like a defect. Drivers name it differently, so each adapter
// says which of its driver's errors mean it; this turns those into StoreError('unavailable').
import { StoreError } from '../core/store-error.ts'

/** Node's errno codes for a peer that cannot be reached or went away. */
export const NETWORK_ERRNOS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
])

/** An error's string `code` (errno, SQLITE_*, SQLSTATE), if it has one. */
export function errorCode(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/**
 * A translator for one driver: an error for which `reason` names a cause (anywhere in its first
 * few causes) becomes StoreError('unavailable') with the driver's error as `cause`; the reason (a
 * driver code, never data) goes into the message for operators. Anything else is left as it is.
 */
export function unavailableWhen(driver: string, reason: (err: Error) => string | null) {
  return (err: unknown): unknown => {
    if (err instanceof StoreError) return err
    for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
      const why = reason(e)
      if (why !== null)
        return new StoreError('unavailable', `${driver} cannot serve now: ${why}`, { cause: err })
    }
    return err
  }
}
