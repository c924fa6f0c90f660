/**
 * What ended: one session (`session`, subject = the `sid` of its access tokens), or every token of
 * one user issued up to `at` (`user`, subject = the `sub`). The revocation feed serves these.
 */
export type RevocationKind = 'session' | 'user'

export interface RevocationEntry {
  /** The feed's cursor: strictly increasing across every issuer instance sharing the store. */
  seq: number
  kind: RevocationKind
  subject: string
  /** When it ended. */
  at: number
  /** The latest expiry of any access token it can concern; past it the entry is dropped. */
  until: number
}

export interface RevocationPage {
  /** The latest sequence the store has handed out (0 before the first): the next `since`. */
  cursor: number
  /** Entries with a sequence after `since` and an `until` after `now`, by sequence. */
  entries: RevocationEntry[]
}

/** How long an entry lasts when the store is given no horizon: the default access-token
 *  lifetime (ACCESS_TOKEN_TTL) plus the default clock skew (CLOCK_SKEW). */
export const DEFAULT_REVOCATION_TTL_MS = (15 * 60 + 60) * 1000

/**
 * The part of the store port that keeps revocation entries (docs/issuer.md, "Revocation feed").
 * `revokeSession` writes a `session` entry and `revokeUserSessions` a `user` entry in the same
 * atomic step as the revocation itself; each store is given its entries' lifetime (the access
 * token lifetime plus the clock skew) when it is opened, so every caller is covered.
 */
export interface RevocationStore {
  /**
   * Writes an entry for an ending that happened elsewhere (inside `rotate`). Idempotent: an entry
   * of the same kind and subject at the same or a later instant leaves the feed unchanged; an
   * earlier one is replaced (with a new sequence).
   */
  recordRevocation(kind: RevocationKind, subject: string, at: number): Promise<void>
  /** The entries after `since` still in force at `now` (0 for all), read in one consistent step. */
  readRevocations(since: number, now: number): Promise<RevocationPage>
}
