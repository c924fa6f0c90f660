/**
 * When a token got at `obtainedAt` should be renewed: `skewMs` before it expires, but not before
 * half its lifetime, so a large skew against short tokens cannot make every call renew.
 */
export function renewalTime(obtainedAt: number, expiresInSec: number, skewMs: number): number {
  const lifetimeMs = expiresInSec * 1000
  return obtainedAt + Math.max(lifetimeMs / 2, lifetimeMs - skewMs)
}
