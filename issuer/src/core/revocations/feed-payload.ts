import type { KeyEvent } from '../../keys/key-events.ts'
import type { RevocationEntry } from './revocation-store.ts'

/** The JWS `typ` of a feed document (RFC 8725 §3.11: its own type, never mistaken for a token). */
export const REVOCATION_FEED_TYP = 'revocation-feed+jwt'

/**
 * The signed payload (docs/issuer.md, "Revocation feed"). Instants are milliseconds since the
 * epoch. A snapshot has no `since` and replaces what a follower holds; a delta (`since` present)
 * adds to it. `users[].before`: every token of `sub` whose `iat` is at or before it is ended.
 */
export interface FeedPayload {
  iss: string
  cursor: number
  since?: number
  sessions: { sid: string; at: number; until: number }[]
  users: { sub: string; before: number; until: number }[]
  keys: KeyEvent[]
}

/** The payload for entries in sequence order; the same input gives the same bytes on every instance. */
export function feedPayload(
  iss: string,
  cursor: number,
  since: number | null,
  entries: readonly RevocationEntry[],
  keys: readonly KeyEvent[],
): FeedPayload {
  const payload: FeedPayload = { iss, cursor, sessions: [], users: [], keys: [...keys] }
  if (since !== null) payload.since = since
  for (const e of entries) {
    if (e.kind === 'session') payload.sessions.push({ sid: e.subject, at: e.at, until: e.until })
    else payload.users.push({ sub: e.subject, before: e.at, until: e.until })
  }
  return payload
}
