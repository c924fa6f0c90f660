/** Longest the JWKS may be cached: well under the publish lead, so verifiers see `next` keys in time. */
export function jwksMaxAgeFor(publishLeadSec: number): number {
  return Math.max(0, Math.min(300, Math.floor(publishLeadSec / 3)))
}
