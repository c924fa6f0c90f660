/** `createVerifier`'s `revocation` option: how the verifier follows the issuer's revocation feed. */
export interface RevocationOptions {
  /** How long the feed may go unfollowed (no verified document) before `whenStale` applies, at least 2 [60]. */
  readonly maxStaleSec?: number
  /**
   * Past `maxStaleSec`: `'fail-closed'` refuses every token with 503 `revocation_unavailable`;
   * `'report'` keeps verifying (a logout may then be missed) and calls `onStale` ['fail-closed'].
   */
  readonly whenStale?: 'fail-closed' | 'report'
  /** Called with true when the feed goes stale past the bound, and with false when it is followed again. */
  readonly onStale?: (stale: boolean, detail: string) => void
  /** Interval of the polling fallback, used while the stream cannot be held [1000]. */
  readonly pollIntervalMs?: number
  /** Follow the push stream (Server-Sent Events), polling only as a fallback [true]. */
  readonly stream?: boolean
}

export interface ResolvedRevocationOptions {
  readonly maxStaleMs: number
  readonly failClosed: boolean
  readonly onStale: (stale: boolean, detail: string) => void
  readonly pollIntervalMs: number
  readonly stream: boolean
}
