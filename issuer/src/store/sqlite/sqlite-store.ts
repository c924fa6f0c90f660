// The embedded default store: one SQLite file, shared safely by several processes.
// Why it is safe: WAL lets readers run beside the single writer; every step that reads and then
// writes runs in `BEGIN IMMEDIATE`, which takes the write lock before the first read, so no other
// process can change what was read; `busy_timeout` makes a second process wait for the lock
// instead of failing. better-sqlite3 is synchronous, so within one process each call also runs
// to completion before the next starts.
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import type { AnyCollection } from '../../core/records/collection.ts'
import type { RedeemResult } from '../../core/records/redeemable.ts'
import {
  DEFAULT_REVOCATION_TTL_MS,
  type RevocationEntry,
  type RevocationKind,
} from '../../core/revocations/revocation-store.ts'
import { planRotation } from '../../core/rotation/plan-rotation.ts'
import type { NewSession, SessionRecord } from '../../core/sessions/session-record.ts'
import type { CounterState, RotateInput, RotateResult, Store } from '../../core/store.ts'
import { STORE_COLLECTIONS } from '../../core/store-collections.ts'
import { StoreConflictError } from '../../core/store-error.ts'
import { joinScope } from '../session-scope.ts'
import { createSqlRecords } from '../sql/create-sql-records.ts'
import { ensureTables } from '../sql/ensure-tables.ts'
import { runMigrations } from '../sql/run-migrations.ts'
import { columnOf } from '../sql/sql-columns.ts'
import {
  replayedResult,
  rotationStateFromRows,
  SESSION_USER_COLUMNS,
  type SessionRow,
  type SessionUserRow,
  sessionFromRow,
  type TokenRow,
  tokenFromRow,
  userRolesOf,
} from '../sql/sql-rows.ts'
import { translateErrors } from '../translate-errors.ts'
import { startSqliteCheckpointer } from './sqlite-checkpointer.ts'
import { createSqliteDialect } from './sqlite-dialect.ts'
import { SQLITE_MIGRATIONS } from './sqlite-migrations.ts'
import { sqliteUnavailable } from './sqlite-unavailable.ts'

/** The rotation's one read (below): the session and user columns, the token's prefixed `t_`. */
const ROTATION_READ = `SELECT ${SESSION_USER_COLUMNS}, t.generation AS t_generation,
    t.idle_expires_at AS t_idle_expires_at, t.consumed_at AS t_consumed_at,
    t.successor_sealed AS t_successor_sealed, n.hash AS next_hash, n.consumed_at AS next_consumed_at
  FROM refresh_tokens t
  JOIN sessions s ON s.id = t.session_id
  LEFT JOIN users u ON u.id = s.user_id
  LEFT JOIN refresh_tokens n ON n.hash = t.successor_hash
  WHERE t.hash = ?`

interface RotationRow extends SessionUserRow {
  t_generation: number
  t_idle_expires_at: number
  t_consumed_at: number | null
  t_successor_sealed: string | null
  next_hash: string | null
  next_consumed_at: number | null
}

export interface SqliteStoreOptions {
  /** A file path (its directory is created if missing) or ':memory:'. */
  path: string
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number
  /**
   * 'NORMAL' (default) survives a process crash without losing commits; a power loss may roll
   * back the last few. 'FULL' fsyncs every commit, at a large cost in refresh throughput.
   */
  synchronous?: 'NORMAL' | 'FULL'
  /**
   * For a long-running server: checkpoint the WAL on a background thread every this many ms
   * instead of inside the request that crosses SQLite's threshold (sqlite-checkpointer.ts).
   * Unset: SQLite's own inline checkpoints, right for short-lived tools.
   */
  backgroundCheckpointMs?: number
  /** How long a revocation entry lasts: the access-token lifetime plus the clock skew. */
  revocationTtlMs?: number
  /** The collections to lay out and purge (default: the issuer's, core/store-collections.ts). */
  collections?: readonly AnyCollection[]
}

// With background checkpoints, the request connection still checkpoints past this many WAL
// pages (about 40 MB): a backstop that keeps the WAL bounded if the thread falls behind.
const BACKSTOP_CHECKPOINT_PAGES = 10_000

interface PendingRotation {
  input: RotateInput
  resolve(result: RotateResult): void
  reject(error: unknown): void
}

type RotationOutcome = { ok: true; result: RotateResult } | { ok: false; error: unknown }

interface CounterRow {
  count: number
  reset_at: number
}

// A session with a live token: its one unconsumed token, not idled out.
const HAS_LIVE_TOKEN = `EXISTS (SELECT 1 FROM refresh_tokens t
  WHERE t.session_id = s.id AND t.consumed_at IS NULL AND t.idle_expires_at > @now)`
const SESSION_LIVE = `(s.revoked_at IS NULL AND s.absolute_expires_at > @now AND ${HAS_LIVE_TOKEN})`
// What purge removes: past absolute lifetime, revoked by `now`, or idled out.
const SESSION_DEAD = `(s.absolute_expires_at <= @now
  OR (s.revoked_at IS NOT NULL AND s.revoked_at <= @now) OR NOT ${HAS_LIVE_TOKEN})`

export function createSqliteStore(options: SqliteStoreOptions): Store {
  const { path } = options
  const inMemory = path === ':memory:'
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true })
  const db = new Database(path)
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`)
  db.pragma('foreign_keys = ON')
  if (!inMemory) enableWal(db)
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`)
  const checkpointer =
    inMemory || options.backgroundCheckpointMs === undefined
      ? null
      : startSqliteCheckpointer({ path, intervalMs: options.backgroundCheckpointMs })
  if (checkpointer) db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`)

  // Statements are prepared on first use: preparing checks the schema, which exists only after
  // migrate(). better-sqlite3 re-prepares them itself if a later migration changes the schema.
  const statements = new Map<string, Database.Statement>()
  const stmt = (sql: string): Database.Statement => {
    let s = statements.get(sql)
    if (s === undefined) {
      s = db.prepare(sql)
      statements.set(sql, s)
    }
    return s
  }
  const get = <R>(sql: string, ...params: unknown[]): R | undefined =>
    stmt(sql).get(...params) as R | undefined
  const all = <R>(sql: string, ...params: unknown[]): R[] => stmt(sql).all(...params) as R[]
  const run = (sql: string, ...params: unknown[]): number => stmt(sql).run(...params).changes
  // One transaction wrapper for every step: `db.transaction(fn)` builds four wrapper functions
  // per call, which showed up in the refresh profile.
  const inImmediate = db.transaction((fn: () => unknown) => fn()).immediate
  const immediate = <T>(fn: () => T): T => inImmediate(fn) as T

  const sessionById = (id: string): SessionRecord | null => {
    const row = get<SessionRow>('SELECT * FROM sessions WHERE id = ?', id)
    return row === undefined ? null : sessionFromRow(row)
  }

  // A session and its first refresh token, inside the caller's transaction.
  const insertSession = (session: NewSession): SessionRecord => {
    try {
      run(
        `INSERT INTO sessions (id, user_id, client_id, created_at, last_used_at, absolute_expires_at,
           revoked_at, revoked_reason, client_ip, user_agent, scope, public_client, claims, amr, acr, auth_time)
         VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?)`,
        session.id,
        session.userId,
        session.clientId,
        session.createdAt,
        session.createdAt,
        session.absoluteExpiresAt,
        session.clientIp,
        session.userAgent,
        joinScope(session.scope),
        session.publicClient ? 1 : 0,
        joinScope(session.claims ?? []),
        joinScope(session.amr ?? []),
        session.acr ?? null,
        session.authTime ?? null,
      )
      run(
        `INSERT INTO refresh_tokens (hash, session_id, generation, created_at, idle_expires_at)
         VALUES (?, ?, 1, ?, ?)`,
        session.tokenHash,
        session.id,
        session.createdAt,
        Math.min(session.idleExpiresAt, session.absoluteExpiresAt),
      )
    } catch (err) {
      throw asConflict(err, (msg) => (msg.includes('sessions.id') ? 'session id' : 'refresh token hash'))
    }
    return sessionById(session.id)!
  }

  const revocationTtlMs = options.revocationTtlMs ?? DEFAULT_REVOCATION_TTL_MS
  // Inside the caller's transaction. AUTOINCREMENT never reuses a sequence, even after purge:
  // the feed's cursor only moves forward.
  const recordEntry = (kind: RevocationKind, subject: string, at: number): void => {
    run('DELETE FROM revocations WHERE kind = ? AND subject = ? AND at < ?', kind, subject, at)
    run(
      'INSERT OR IGNORE INTO revocations (kind, subject, at, until) VALUES (?, ?, ?, ?)',
      kind,
      subject,
      at,
      at + revocationTtlMs,
    )
  }

  // Revokes a live session inside the caller's transaction; returns the row as written.
  const revokeLive = (id: string, reason: string, now: number): SessionRow | undefined =>
    get<SessionRow>(
      'UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL RETURNING *',
      now,
      reason,
      id,
    )

  // One rotation, inside the batch's write transaction (group commit, below).
  const rotateInTransaction = (input: RotateInput): RotateResult => {
    // One read: the token with its successor, its session and the session's user. The user is
    // read in the same transaction: a refresh learns whether its user is still enabled without
    // another round trip, and a disabled user's token is never consumed.
    const row = get<RotationRow>(ROTATION_READ, input.tokenHash)
    if (row === undefined) return { kind: 'invalid', reason: 'unknown' }
    const sessionRow: SessionUserRow = row
    const token = {
      generation: row.t_generation,
      idle_expires_at: row.t_idle_expires_at,
      consumed_at: row.t_consumed_at,
      successor_sealed: row.t_successor_sealed,
      next_hash: row.next_hash,
      next_consumed_at: row.next_consumed_at,
    }
    const plan = planRotation(rotationStateFromRows(sessionRow, token), input)
    switch (plan.kind) {
      case 'invalid':
        if (plan.reason === 'user_disabled') revokeLive(sessionRow.id, 'user_disabled', input.now)
        return plan
      case 'replayed':
        return replayedResult(plan, sessionRow)
      case 'reuse_detected': {
        const revoked = revokeLive(sessionRow.id, 'reuse_detected', input.now)
        return { kind: 'reuse_detected', session: sessionFromRow(revoked ?? sessionRow) }
      }
      case 'rotated': {
        const generation = token.generation + 1
        // The successor goes in first: a hash conflict then fails before this rotation has
        // written anything, so it can be refused alone without undoing the rest of its batch.
        try {
          run(
            `INSERT INTO refresh_tokens (hash, session_id, generation, created_at, idle_expires_at)
             VALUES (?, ?, ?, ?, ?)`,
            input.successor.hash,
            sessionRow.id,
            generation,
            input.now,
            plan.successorIdleExpiresAt,
          )
        } catch (err) {
          throw asConflict(err, () => 'refresh token hash')
        }
        // The compare-and-set is what makes the step safe even without the write lock.
        const consumed = run(
          `UPDATE refresh_tokens SET consumed_at = ?, successor_hash = ?, successor_sealed = ?
           WHERE hash = ? AND consumed_at IS NULL`,
          input.now,
          input.successor.hash,
          input.successor.sealed,
          input.tokenHash,
        )
        if (consumed !== 1) throw new Error('refresh token changed inside its own write transaction')
        run('UPDATE sessions SET last_used_at = MAX(last_used_at, ?) WHERE id = ?', input.now, sessionRow.id)
        const lastUsedAt = Math.max(Number(sessionRow.last_used_at), input.now)
        return {
          kind: 'rotated',
          session: sessionFromRow({ ...sessionRow, last_used_at: lastUsedAt }),
          generation,
          roles: userRolesOf(sessionRow),
        }
      }
    }
  }

  // Group commit: the rotations that arrive in one event-loop turn share one BEGIN IMMEDIATE ...
  // COMMIT. Each still runs to completion before the next (later ones see earlier ones' writes,
  // exactly as if they had run one after another), but the lock, the commit and the WAL pages
  // they all touch are paid once per batch instead of once per refresh. Nobody is answered
  // before the commit, so a crash or a failed commit loses only rotations no client was told of.
  let pendingRotations: PendingRotation[] = []
  const runRotations = (batch: readonly PendingRotation[]) =>
    immediate(() =>
      batch.map((p): RotationOutcome => {
        try {
          return { ok: true, result: rotateInTransaction(p.input) }
        } catch (err) {
          // A conflict is refused before any write of its own; anything else (I/O, a full disk)
          // may have left the transaction half done, so the whole batch rolls back and fails.
          if (err instanceof StoreConflictError) return { ok: false, error: err }
          throw err
        }
      }),
    )
  const flushRotations = () => {
    const batch = pendingRotations
    pendingRotations = []
    if (batch.length === 0) return
    let outcomes: RotationOutcome[]
    try {
      outcomes = runRotations(batch)
    } catch (err) {
      for (const p of batch) p.reject(err)
      return
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) p.resolve(outcome.result)
      else p.reject(outcome.error)
    })
  }

  const collections = options.collections ?? STORE_COLLECTIONS
  const dialect = createSqliteDialect(stmt)
  const records = createSqlRecords(dialect, collections)

  const store: Store = {
    records,

    async migrate() {
      immediate(() => {
        db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
        ) STRICT`)
        const applied = db.prepare('SELECT version FROM schema_migrations').pluck().all().map(Number)
        runMigrations(SQLITE_MIGRATIONS, applied, {
          apply: (m) => {
            db.exec(m.sql)
          },
          record: (m) => {
            db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(m.version, m.name)
          },
        })
      })
      await ensureTables(dialect, collections)
    },

    async ping() {
      db.prepare('SELECT 1').get()
    },

    async close() {
      flushRotations()
      await checkpointer?.stop()
      if (db.open) db.close()
    },

    async createSession(session: NewSession) {
      return immediate(() => insertSession(session))
    },

    async getSession(id) {
      return sessionById(id)
    },

    async findToken(tokenHash) {
      const row = get<TokenRow>(
        'SELECT hash, session_id, generation, created_at, idle_expires_at, consumed_at FROM refresh_tokens WHERE hash = ?',
        tokenHash,
      )
      return row === undefined ? null : tokenFromRow(row)
    },

    rotate(input: RotateInput): Promise<RotateResult> {
      return new Promise((resolve, reject) => {
        pendingRotations.push({ input, resolve, reject })
        // setImmediate runs after this poll phase: every refresh read from the sockets in this
        // turn joins the batch, and none waits longer than the turn it arrived in.
        if (pendingRotations.length === 1) setImmediate(flushRotations)
      })
    },

    async revokeSession(sessionId, reason, now) {
      return immediate(() => {
        const changed = run(
          `UPDATE sessions SET revoked_at = ?, revoked_reason = ?
           WHERE id = ? AND revoked_at IS NULL AND absolute_expires_at > ?`,
          now,
          reason,
          sessionId,
          now,
        )
        if (changed === 1) recordEntry('session', sessionId, now)
        return changed === 1
      })
    },

    async revokeUserSessions(userId, reason, now) {
      return immediate(() => {
        const changed = run(
          `UPDATE sessions SET revoked_at = ?, revoked_reason = ?
           WHERE user_id = ? AND revoked_at IS NULL AND absolute_expires_at > ?`,
          now,
          reason,
          userId,
          now,
        )
        recordEntry('user', userId, now)
        return changed
      })
    },

    async recordRevocation(kind, subject, at) {
      immediate(() => recordEntry(kind, subject, at))
    },

    async readRevocations(since, now) {
      // One read transaction: the cursor and the entries come from the same snapshot.
      return db.transaction(() => {
        const cursor =
          get<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'revocations'")?.seq ?? 0
        const entries = all<RevocationEntry>(
          'SELECT seq, kind, subject, at, until FROM revocations WHERE seq > ? AND until > ? ORDER BY seq',
          since,
          now,
        )
        return { cursor, entries }
      })()
    },

    async listSessions(userId, now) {
      return all<SessionRow>(
        `SELECT s.* FROM sessions s
         WHERE s.user_id = @userId AND ${SESSION_LIVE}
         ORDER BY s.created_at DESC, s.id`,
        { userId, now },
      ).map(sessionFromRow)
    },

    async purgeExpired(now) {
      let deleted = immediate(() => {
        let deleted = run(
          `DELETE FROM refresh_tokens WHERE session_id IN (SELECT s.id FROM sessions s WHERE ${SESSION_DEAD})`,
          { now },
        )
        deleted += run(`DELETE FROM sessions AS s WHERE ${SESSION_DEAD}`, { now })
        // Consumed tokens past their idle expiry can only ever answer 'idle_expired'; without them
        // they answer 'unknown', the same 401, and long sessions stop growing the table.
        deleted += run(
          'DELETE FROM refresh_tokens WHERE consumed_at IS NOT NULL AND idle_expires_at <= ?',
          now,
        )
        deleted += run('DELETE FROM counters WHERE reset_at <= ?', now)
        deleted += run('DELETE FROM remembered WHERE until <= ?', now)
        deleted += run('DELETE FROM revocations WHERE until <= ?', now)
        return deleted
      })
      deleted += await records.purge(now)
      // The links of login sessions and sessions purged, by either step.
      deleted += run(
        `DELETE FROM login_session_sessions WHERE login_session_id NOT IN (SELECT id FROM login_sessions)
           OR session_id NOT IN (SELECT id FROM sessions)`,
      )
      return deleted
    },

    async hitCounters(keys, now, windowMs) {
      return immediate(() =>
        keys.map((key): CounterState => {
          const row = get<CounterRow>(
            `INSERT INTO counters (key, count, reset_at) VALUES (@key, 1, @resetAt)
             ON CONFLICT (key) DO UPDATE SET
               count = CASE WHEN counters.reset_at <= @now THEN 1 ELSE counters.count + 1 END,
               reset_at = CASE WHEN counters.reset_at <= @now THEN excluded.reset_at ELSE counters.reset_at END
             RETURNING count, reset_at`,
            { key, now, resetAt: now + windowMs },
          )!
          return { count: row.count, resetAt: row.reset_at }
        }),
      )
    },

    async settleCounters({ reset, release }) {
      immediate(() => {
        for (const key of reset) run('DELETE FROM counters WHERE key = ?', key)
        for (const key of release)
          run('UPDATE counters SET count = count - 1 WHERE key = ? AND count > 0', key)
      })
    },

    async rememberOnce(key, until, now) {
      // One upsert: a live entry is left alone and returns no row; a passed one is taken over.
      const row = get<{ key: string }>(
        `INSERT INTO remembered (key, until) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET until = excluded.until WHERE remembered.until <= ?
         RETURNING key`,
        key,
        until,
        now,
      )
      return row !== undefined
    },

    async redeemOnce(c, key, now, session) {
      const table = c.name
      const where = c.key.map((field) => `${columnOf(field)} = ?`).join(' AND ')
      const keyValues = c.key.map((field) => key[field])
      const linked = 'loginSessionId' in c.fields
      return immediate((): RedeemResult => {
        const row = get<{
          consumed_at: number | null
          session_id: string | null
          expires_at: number
          login: string | null
        }>(
          `SELECT consumed_at, session_id, expires_at, ${linked ? 'login_session_id' : 'NULL'} AS login FROM ${table} WHERE ${where}`,
          ...keyValues,
        )
        if (row === undefined) return { kind: 'invalid' }
        if (row.consumed_at !== null && row.session_id !== null) {
          return { kind: 'replayed', sessionId: row.session_id }
        }
        if (row.expires_at <= now) return { kind: 'invalid' }
        const created = insertSession(session)
        run(
          `UPDATE ${table} SET consumed_at = ?, session_id = ? WHERE ${where}`,
          now,
          session.id,
          ...keyValues,
        )
        if (row.login !== null) {
          run(
            'INSERT OR IGNORE INTO login_session_sessions (login_session_id, session_id) VALUES (?, ?)',
            row.login,
            session.id,
          )
        }
        return { kind: 'redeemed', session: created }
      })
    },

    async endLoginSession(id, now) {
      return immediate(() => {
        run(
          `UPDATE login_sessions SET ended_at = ?, idle_expires_at = MIN(idle_expires_at, ?)
           WHERE id = ? AND ended_at IS NULL`,
          now,
          now,
          id,
        )
        return all<{ session_id: string }>(
          'SELECT session_id FROM login_session_sessions WHERE login_session_id = ? ORDER BY session_id',
          id,
        ).map((r) => r.session_id)
      })
    },
  }
  return translateErrors(store, sqliteUnavailable)
}

function asConflict(err: unknown, field: (message: string) => string): unknown {
  if (err instanceof Database.SqliteError && /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(err.code)) {
    return new StoreConflictError(field(err.message), { cause: err })
  }
  return err
}

// Switching a new file to WAL needs a moment of exclusive access; when several processes open
// the same new file at once, one of them may find it busy. WAL is persistent, so retry briefly.
function enableWal(db: Database.Database): void {
  for (let attempt = 0; ; attempt++) {
    try {
      if (db.pragma('journal_mode', { simple: true }) === 'wal') return
      if (db.pragma('journal_mode = WAL', { simple: true }) === 'wal') return
    } catch (err) {
      if (!(err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY'))) throw err
    }
    if (attempt >= 100) throw new Error('could not switch the SQLite database to WAL mode')
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
  }
}
