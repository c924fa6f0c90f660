/** The revocation feed's payload (the issuer's docs/issuer.md, "Revocation feed"); instants in ms. */
export interface FeedPayload {
  readonly iss: string
  readonly cursor: number
  /** Present on a delta: the cursor it follows. Absent on a snapshot. */
  readonly since?: number
  readonly sessions: readonly { readonly sid: string; readonly until: number }[]
  readonly users: readonly { readonly sub: string; readonly before: number; readonly until: number }[]
  readonly keys: readonly { readonly kid: string; readonly event: 'published' | 'promoted' | 'retired' }[]
}

// Far above what one access-token lifetime of logouts gives, low enough to bound memory.
const MAX_ENTRIES = 1_000_000
const MAX_KEYS = 100
const MAX_ID_CHARS = 256
const KEY_EVENTS: readonly string[] = ['published', 'promoted', 'retired']

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const isInstant = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_CHARS

function list<T>(
  value: unknown,
  name: string,
  max: number,
  item: (v: Record<string, unknown>) => T | null,
): T[] {
  if (!Array.isArray(value) || value.length > max) throw new Error(`feed ${name} is not a bounded list`)
  return value.map((v) => {
    const parsed = isRecord(v) ? item(v) : null
    if (parsed === null) throw new Error(`feed ${name} has a malformed entry`)
    return parsed
  })
}

/** Checks every member of a verified feed payload; throws on anything else (the document is then ignored). */
export function parseFeedPayload(value: unknown, issuer: string): FeedPayload {
  if (!isRecord(value)) throw new Error('feed payload is not an object')
  if (value.iss !== issuer) throw new Error('feed iss is not the issuer')
  if (!isInstant(value.cursor)) throw new Error('feed cursor is malformed')
  if (value.since !== undefined && !isInstant(value.since)) throw new Error('feed since is malformed')
  const sessions = list(value.sessions, 'sessions', MAX_ENTRIES, (e) =>
    isId(e.sid) && isInstant(e.until) ? { sid: e.sid, until: e.until } : null,
  )
  const users = list(value.users, 'users', MAX_ENTRIES, (e) =>
    isId(e.sub) && isInstant(e.before) && isInstant(e.until)
      ? { sub: e.sub, before: e.before, until: e.until }
      : null,
  )
  const keys = list(value.keys, 'keys', MAX_KEYS, (e) =>
    isId(e.kid) && typeof e.event === 'string' && KEY_EVENTS.includes(e.event)
      ? { kid: e.kid, event: e.event as 'published' | 'promoted' | 'retired' }
      : null,
  )
  return {
    iss: issuer,
    cursor: value.cursor,
    ...(value.since === undefined ? {} : { since: value.since as number }),
    sessions,
    users,
    keys,
  }
}
