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
import { DEFAULT_REVOCATION_TTL_MS, type RevocationKind } from '../../core/revocations/revocation-store.ts'
import { planRotation, type RotationState } from '../../core/rotation/plan-rotation.ts'
import type { RotateInput, RotateResult, Store } from '../../core/store.ts'
import { STORE_COLLECTIONS } from '../../core/store-collections.ts'
import { StoreConflictError } from '../../core/store-error.ts'
import { createSqlRecords } from '../sql/create-sql-records.ts'
import { ensureTables } from '../sql/ensure-tables.ts'
import { pendingMigrations } from '../sql/run-migrations.ts'
import { sessionFromRow } from '../sql/sql-columns.ts'
import type { SqlRow } from '../sql/sql-dialect.ts'
import { createSqlSteps, sessionLive } from '../sql/sql-steps.ts'
import { rolesOf } from '../stored-session.ts'
import { translateErrors } from '../translate-errors.ts'
import { startSqliteCheckpointer } from './sqlite-checkpointer.ts'
import { createSqliteDialect } from './sqlite-dialect.ts'
import { SQLITE_MIGRATIONS } from './sqlite-migrations.ts'
import { sqliteUnavailable } from './sqlite-unavailable.ts'

/**
 * The rotation's one read: the session's columns, its user's roles and flag (null when the user is
 * gone), the token's own columns (none shares a session column's name) and its successor's.
 */
const ROTATION_READ = `SELECT s.*, u.roles AS user_roles, u.disabled AS user_disabled,
    t.generation, t.idle_expires_at, t.consumed_at, t.successor_sealed,
    n.hash AS next_hash, n.consumed_at AS next_consumed_at
  FROM refresh_tokens t
  JOIN sessions s ON s.id = t.session_id
  LEFT JOIN users u ON u.id = s.user_id
  LEFT JOIN refresh_tokens n ON n.hash = t.successor_hash
  WHERE t.hash = ?`

interface RotationRow extends SqlRow {
  id: string
  client_id: string
  last_used_at: number
  absolute_expires_at: number
  revoked_at: number | null
  public_client: number
  user_roles: string | null
  user_disabled: number | null
  generation: number
  idle_expires_at: number
  consumed_at: number | null
  successor_sealed: string | null
  next_hash: string | null
  next_consumed_at: number | null
}

/** What the rotation plan needs of the row (better-sqlite3 reads INTEGER columns as numbers). */
function rotationState(row: RotationRow): RotationState {
  return {
    session: {
      revokedAt: row.revoked_at,
      absoluteExpiresAt: row.absolute_expires_at,
      clientId: row.client_id,
      publicClient: row.public_client === 1,
    },
    user: row.user_disabled === null ? null : { disabled: row.user_disabled === 1 },
    token: {
      idleExpiresAt: row.idle_expires_at,
      consumedAt: row.consumed_at,
      successorSealed: row.successor_sealed,
      successorExists: row.next_hash !== null,
      successorConsumedAt: row.next_consumed_at,
    },
  }
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
  const run = (sql: string, ...params: unknown[]): number => stmt(sql).run(...params).changes
  // One transaction wrapper for every step: `db.transaction(fn)` builds four wrapper functions
  // per call, which showed up in the refresh profile.
  const inImmediate = db.transaction((fn: () => unknown) => fn()).immediate
  const immediate = <T>(fn: () => T): T => inImmediate(fn) as T

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

  // Revokes the live sessions of a session id or a user, and writes the feed's entry in the same
  // transaction: always for a user (tokens outlive the sessions), for a session when it was live.
  const revokeLiveSessions = async (kind: RevocationKind, subject: string, reason: string, now: number) =>
    immediate(() => {
      const changed = run(
        `UPDATE sessions SET revoked_at = ?, revoked_reason = ?
         WHERE ${kind === 'user' ? 'user_id' : 'id'} = ? AND revoked_at IS NULL AND absolute_expires_at > ?`,
        now,
        reason,
        subject,
        now,
      )
      if (kind === 'user' || changed === 1) recordEntry(kind, subject, now)
      return changed
    })

  // Revokes a live session inside the caller's transaction; returns the row as written.
  const revokeLive = (id: string, reason: string, now: number): SqlRow | undefined =>
    get<SqlRow>(
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
    const plan = planRotation(rotationState(row), input)
    switch (plan.kind) {
      case 'invalid':
        if (plan.reason === 'user_disabled') revokeLive(row.id, 'user_disabled', input.now)
        return plan
      case 'replayed': // A replay writes nothing: it answers from the row already read.
        return {
          kind: 'replayed',
          session: sessionFromRow(row),
          sealedSuccessor: plan.sealedSuccessor,
          roles: rolesOf(row.user_roles),
        }
      case 'reuse_detected': {
        const revoked = revokeLive(row.id, 'reuse_detected', input.now)
        return { kind: 'reuse_detected', session: sessionFromRow(revoked ?? row) }
      }
      case 'rotated': {
        const generation = row.generation + 1
        // The successor goes in first: a hash conflict then fails before this rotation has
        // written anything, so it can be refused alone without undoing the rest of its batch.
        try {
          run(
            `INSERT INTO refresh_tokens (hash, session_id, generation, created_at, idle_expires_at)
             VALUES (?, ?, ?, ?, ?)`,
            input.successor.hash,
            row.id,
            generation,
            input.now,
            plan.successorIdleExpiresAt,
          )
        } catch (err) {
          throw asConflict(err)
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
        run('UPDATE sessions SET last_used_at = MAX(last_used_at, ?) WHERE id = ?', input.now, row.id)
        const lastUsedAt = Math.max(Number(row.last_used_at), input.now)
        return {
          kind: 'rotated',
          session: sessionFromRow({ ...row, last_used_at: lastUsedAt }),
          generation,
          roles: rolesOf(row.user_roles),
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
  const dialect = createSqliteDialect(stmt, immediate)
  const records = createSqlRecords(dialect, collections)
  const purgeDeadSessions = async (now: number) =>
    immediate(() => {
      const dead = `SELECT s.id FROM sessions s WHERE ${sessionLive('refresh_tokens', '@now', false)}`
      const tokens = run(`DELETE FROM refresh_tokens WHERE session_id IN (${dead})`, { now })
      return tokens + run(`DELETE FROM sessions WHERE id IN (${dead})`, { now })
    })

  const store: Store = {
    records,
    ...createSqlSteps(dialect, records, {
      purgeDeadSessions,
      // AUTOINCREMENT's counter: never reused, even after purge, so the feed's cursor only moves forward.
      revocationCursor: "SELECT seq AS value FROM sqlite_sequence WHERE name = 'revocations'",
    }),

    async migrate() {
      immediate(() => {
        db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
        ) STRICT`)
        const applied = db.prepare('SELECT version FROM schema_migrations').pluck().all().map(Number)
        for (const m of pendingMigrations(SQLITE_MIGRATIONS, applied)) {
          db.exec(m.sql)
          db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(m.version, m.name)
        }
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

    rotate(input: RotateInput): Promise<RotateResult> {
      return new Promise((resolve, reject) => {
        pendingRotations.push({ input, resolve, reject })
        // setImmediate runs after this poll phase: every refresh read from the sockets in this
        // turn joins the batch, and none waits longer than the turn it arrived in.
        if (pendingRotations.length === 1) setImmediate(flushRotations)
      })
    },

    async revokeSession(sessionId, reason, now) {
      return (await revokeLiveSessions('session', sessionId, reason, now)) === 1
    },

    async revokeUserSessions(userId, reason, now) {
      return revokeLiveSessions('user', userId, reason, now)
    },

    async recordRevocation(kind, subject, at) {
      immediate(() => recordEntry(kind, subject, at))
    },

    async settleCounters({ reset, release }) {
      immediate(() => {
        for (const key of reset) run('DELETE FROM counters WHERE key = ?', key)
        for (const key of release)
          run('UPDATE counters SET count = count - 1 WHERE key = ? AND count > 0', key)
      })
    },
  }
  return translateErrors(store, sqliteUnavailable)
}

function asConflict(err: unknown): unknown {
  // The successor's hash is the one unique key a rotation inserts.
  if (err instanceof Database.SqliteError && /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(err.code)) {
    return new StoreConflictError('refresh token hash', { cause: err })
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
