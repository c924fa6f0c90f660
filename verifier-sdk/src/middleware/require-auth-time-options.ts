/** Options of `requireAuthTime` (Hono and Express). */
export interface RequireAuthTimeOptions {
  /**
   * Milliseconds since the epoch [Date.now]. Give it the `clock` your verifier has, so that a
   * token's age is measured on the clock that verified it.
   */
  readonly clock?: () => number
}
