import type { FeedPayload } from './parse-feed-payload.ts'

/** Why a token is refused by the list, if it is. */
export type RevokedBy = 'sid' | 'sub' | undefined

/**
 * What a verifier knows from the feed: ended sessions, ended users and retired keys, each until
 * its `until` (memory bounded by the endings of one access-token lifetime), and the cursor.
 */
export interface RevocationList {
  readonly cursor: number
  /** A snapshot replaces the list; a delta after the list's cursor adds to it. False: not applied. */
  apply(payload: FeedPayload, now: number): boolean
  /** Whether the feed told this key retired (its tokens are refused until they have all expired). */
  retiredKey(kid: string, now: number): boolean
  /** Whether a token with these claims (`iat` in seconds) is ended, and by what. */
  revokedBy(sid: unknown, sub: unknown, iat: unknown, now: number): RevokedBy
  prune(now: number): void
  readonly size: number
}

// Longer than any access-token lifetime: a retired key's tokens are all expired by then.
const RETIRED_KEY_MEMORY_MS = 86_400_000

export function createRevocationList(): RevocationList {
  let cursor = -1
  const sessions = new Map<string, number>()
  const users = new Map<string, { before: number; until: number }>()
  const retired = new Map<string, number>()

  const prune = (now: number) => {
    for (const [k, until] of sessions) if (until <= now) sessions.delete(k)
    for (const [k, u] of users) if (u.until <= now) users.delete(k)
    for (const [k, until] of retired) if (until <= now) retired.delete(k)
  }

  return {
    get cursor() {
      return cursor
    },
    get size() {
      return sessions.size + users.size + retired.size
    },
    apply(payload, now) {
      if (payload.since === undefined) {
        sessions.clear()
        users.clear()
      } else if (payload.since !== cursor) {
        return false
      }
      for (const s of payload.sessions) if (s.until > now) sessions.set(s.sid, s.until)
      for (const u of payload.users) {
        const held = users.get(u.sub)
        if (u.until > now && (held === undefined || held.before < u.before))
          users.set(u.sub, { before: u.before, until: u.until })
      }
      // Key events come whole in every document: a key told retired stays refused until its
      // tokens have expired, even if a later document no longer mentions it.
      for (const k of payload.keys) {
        if (k.event === 'retired') retired.set(k.kid, retired.get(k.kid) ?? now + RETIRED_KEY_MEMORY_MS)
      }
      cursor = payload.cursor
      prune(now)
      return true
    },
    retiredKey(kid, now) {
      if (retired.size === 0) return false
      const until = retired.get(kid)
      return until !== undefined && until > now
    },
    revokedBy(sid, sub, iat, now) {
      if (typeof sid === 'string' && sessions.size > 0) {
        const until = sessions.get(sid)
        if (until !== undefined && until > now) return 'sid'
      }
      if (typeof sub === 'string' && users.size > 0) {
        const ended = users.get(sub)
        // `iat` has one-second resolution: a token issued in the same second as the ending is
        // refused too (fail safe; a new login a second later is not).
        if (ended !== undefined && ended.until > now && typeof iat === 'number' && iat * 1000 <= ended.before)
          return 'sub'
      }
      return undefined
    },
    prune,
  }
}
