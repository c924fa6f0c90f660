import Database from 'better-sqlite3'

/**
 * Writes `count` live sessions (and each one's first refresh token) of one user straight into an
 * issuer's SQLite file, in one transaction from a recursive CTE: the rows createSession writes, at
 * a rate that makes a million practical. Bench fixture only; the runtime writes through the store
 * port. Answers the ids of the first `take` sessions (the bench ends those through the port).
 */
export function seedLiveSessions(opts: {
  file: string
  userId: string
  count: number
  take: number
  now: number
}): string[] {
  const db = new Database(opts.file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = OFF')
    const absolute = opts.now + 30 * 86_400_000
    const idle = opts.now + 7 * 86_400_000
    db.transaction(() => {
      // Only the rows written here get a token: sessions the user already has keep theirs alone.
      const before = db.prepare('SELECT coalesce(max(rowid), 0) FROM sessions').pluck().get() as number
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO sessions (id, user_id, client_id, created_at, last_used_at, absolute_expires_at,
           revoked_at, revoked_reason, client_ip, user_agent, scope, public_client)
         SELECT lower(hex(randomblob(16))), ?, 'default', ?, ?, ?, NULL, NULL, NULL, NULL, '', 1 FROM n`,
      ).run(opts.count, opts.userId, opts.now, opts.now, absolute)
      db.prepare(
        `INSERT INTO refresh_tokens (hash, session_id, generation, created_at, idle_expires_at)
         SELECT lower(hex(randomblob(32))), id, 1, created_at, ? FROM sessions WHERE rowid > ?`,
      ).run(idle, before)
    })()
    return db
      .prepare('SELECT id FROM sessions WHERE user_id = ? LIMIT ?')
      .pluck()
      .all(opts.userId, opts.take) as string[]
  } finally {
    db.close()
  }
}
