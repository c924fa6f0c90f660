// The store for several issuer instances behind a load balancer: one PostgreSQL database.
// Atomicity comes from the database, never from a lock in one process: `rotate` is one call of the
// server-side function `rotate_refresh` (migration 6), which locks the session row (`SELECT ... FOR
// UPDATE`) so every step of one session runs one at a time across all instances, then consumes the
// token with a compare-and-set `UPDATE ... WHERE consumed_at IS NULL`: one round trip per refresh.
// Under load, rotations that queue while the store's rotation calls are busy go together as one
// `rotate_refresh_batch` call (migration 7): one round trip and one commit for all of them.
// The steps shared with SQLite are sql/sql-steps.ts's (creating a session, a login's counters: one
// statement each here); settling counters and each revocation with its feed entry are one statement
// too. Every statement is named by the dialect, so each connection prepares it once.
// Migrations take a transaction-scoped advisory lock, so instances starting together apply each once.
import { createHash } from 'node:crypto'
import { availableParallelism } from 'node:os'
import pg from 'pg'
import type { AnyCollection } from '../../core/records/collection.ts'
import { DEFAULT_REVOCATION_TTL_MS } from '../../core/revocations/revocation-store.ts'
import type { RotateInput, RotateResult, Store } from '../../core/store.ts'
import { STORE_COLLECTIONS } from '../../core/store-collections.ts'
import { StoreConflictError } from '../../core/store-error.ts'
import { rotateResultOf } from '../rotate-reply.ts'
import { createRotationBatcher } from '../rotation-batcher.ts'
import { createSqlRecords } from '../sql/create-sql-records.ts'
import { ensureTables } from '../sql/ensure-tables.ts'
import { pendingMigrations } from '../sql/run-migrations.ts'
import { sessionFromRow } from '../sql/sql-columns.ts'
import type { SqlRow } from '../sql/sql-dialect.ts'
import { createSqlSteps, sessionLive } from '../sql/sql-steps.ts'
import { translateErrors } from '../translate-errors.ts'
import { createPostgresDialect, transaction } from './postgres-dialect.ts'
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts'
import { postgresUnavailable } from './postgres-unavailable.ts'

export interface PostgresStoreOptions {
  connectionString: string
  /** Schema holding the tables, created if missing; lets tests and tenants share a database. */
  schema?: string
  /** Pool size (DATABASE_POOL_SIZE). Default four per core: see docs/scale-out.md. */
  max?: number
  /** How long to wait for a connection before failing. Default 10 s. */
  connectionTimeoutMs?: number
  /** Errors of idle pooled connections (the pool drops them itself); the store never logs. */
  onError?: (err: Error) => void
  /** How long a revocation entry lasts: the access-token lifetime plus the clock skew. */
  revocationTtlMs?: number
  /** The collections to lay out and purge (default: the issuer's, core/store-collections.ts). */
  collections?: readonly AnyCollection[]
}

// bigint columns arrive as strings from pg; instants fit a double exactly, so they become numbers.

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

export function createPostgresStore(options: PostgresStoreOptions): Store {
  const schema = options.schema ?? 'public'
  if (!IDENTIFIER.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(schema)}`)
  const s = `"${schema}"`
  const sessions = `${s}.sessions`
  const tokens = `${s}.refresh_tokens`
  const counters = `${s}.counters`
  const revocations = `${s}.revocations`
  const revocationCursor = `${s}.revocation_cursor`
  const revocationTtlMs = options.revocationTtlMs ?? DEFAULT_REVOCATION_TTL_MS
  const poolSize = options.max ?? defaultPoolSize()
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: poolSize,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
  })
  // Without a listener an idle connection's error (e.g. a server restart) would crash the process.
  pool.on('error', (err) => options.onError?.(err))
  let closed = false

  const dialect = createPostgresDialect(pool, schema)
  // Every statement goes through the dialect: named, so each connection plans it once.
  const query = dialect.query
  // One rotation alone: one call of rotate_refresh (migration 6), under the session row lock, in
  // the statement's own transaction.
  const rotateOne = async (input: RotateInput): Promise<RotateResult> => {
    try {
      const rows = await query(`SELECT * FROM ${s}.rotate_refresh($1, $2, $3, $4, $5, $6, $7)`, [
        input.tokenHash,
        input.now,
        input.clientId,
        input.graceMs,
        input.successor.hash,
        input.successor.idleExpiresAt,
        input.successor.sealed,
      ])
      return rotateResultFromRow(rows[0])
    } catch (err) {
      throw asConflict(err)
    }
  }
  // Rotations that queued together: one call of rotate_refresh_batch (migration 7), one
  // transaction, one commit. Any error (a hash conflict, a deadlock with another statement) rolls
  // the whole batch back before anyone was answered; each rotation is then retried alone, so one
  // rotation's refusal never becomes another's.
  const rotateMany = async (
    inputs: readonly RotateInput[],
  ): Promise<PromiseSettledResult<RotateResult>[]> => {
    try {
      const rows = await query(`SELECT * FROM ${s}.rotate_refresh_batch($1, $2, $3, $4, $5, $6, $7)`, [
        inputs.map((i) => i.tokenHash),
        inputs.map((i) => i.now),
        inputs.map((i) => i.clientId),
        inputs.map((i) => i.graceMs),
        inputs.map((i) => i.successor.hash),
        inputs.map((i) => i.successor.idleExpiresAt),
        inputs.map((i) => i.successor.sealed),
      ])
      const byIndex = new Map(rows.map((row) => [row.out_index, row]))
      return inputs.map((_, i) => {
        try {
          return { status: 'fulfilled', value: rotateResultFromRow(byIndex.get(i + 1)) }
        } catch (reason) {
          return { status: 'rejected', reason }
        }
      })
    } catch {
      // One after another, in the batch's order, as they would have run in it.
      const outcomes: PromiseSettledResult<RotateResult>[] = []
      for (const input of inputs) {
        try {
          outcomes.push({ status: 'fulfilled', value: await rotateOne(input) })
        } catch (reason) {
          outcomes.push({ status: 'rejected', reason })
        }
      }
      return outcomes
    }
  }
  const rotations = createRotationBatcher({
    rotateOne,
    rotateMany,
    maxInFlight: rotationCallsFor(poolSize),
    maxBatch: MAX_ROTATION_BATCH,
  })

  /**
   * The statement tail that writes a revocation entry when the CTE `ended` has a row. The sequence
   * comes from one counter row updated in the same transaction: its row lock is held to commit, so
   * sequences become visible in order and a reader that sees the cursor at n sees every entry up
   * to n (a bare SEQUENCE could commit n+1 before n and a delta reader would skip n). Parameters:
   * $K kind, $S subject, $A at, $U until.
   */
  const writeEntry = (k: string, sub: string, at: string, until: string) => `
    next_seq AS (
      UPDATE ${revocationCursor} SET value = value + 1
      WHERE id = 1 AND EXISTS (SELECT 1 FROM ended)
        AND NOT EXISTS (SELECT 1 FROM ${revocations} WHERE kind = ${k} AND subject = ${sub} AND at >= ${at})
      RETURNING value
    ), written AS (
      INSERT INTO ${revocations} (seq, kind, subject, at, until)
      SELECT value, ${k}, ${sub}, ${at}, ${until} FROM next_seq
      ON CONFLICT (kind, subject) DO UPDATE SET seq = excluded.seq, at = excluded.at, until = excluded.until
      RETURNING 1
    )`

  const collections = options.collections ?? STORE_COLLECTIONS
  const records = createSqlRecords(dialect, collections)
  // Sessions being rotated right now are locked: skip them rather than wait; the next purge sees
  // them as they are then.
  const purgeDeadSessions = async (now: number) => {
    const rows = await query(
      `WITH dead AS (
         SELECT s.id FROM ${sessions} s WHERE ${sessionLive(tokens, '$1', false)} FOR UPDATE OF s SKIP LOCKED
       ), gone_tokens AS (
         DELETE FROM ${tokens} WHERE session_id IN (SELECT id FROM dead) RETURNING 1
       ), gone_sessions AS (
         DELETE FROM ${sessions} WHERE id IN (SELECT id FROM dead) RETURNING 1
       )
       SELECT (SELECT count(*) FROM gone_tokens) + (SELECT count(*) FROM gone_sessions) AS n`,
      [now],
    )
    return Number(rows[0]?.n ?? 0)
  }

  const store: Store = {
    records,
    ...createSqlSteps(dialect, records, {
      purgeDeadSessions,
      revocationCursor: `SELECT value FROM ${revocationCursor} WHERE id = 1`,
    }),

    async migrate() {
      const lockKey = createHash('sha256').update(`tokensmith:migrate:${schema}`).digest().readBigInt64BE(0)
      await transaction(pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey.toString()])
        if (schema !== 'public') await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`)
        await c.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`)
        const { rows } = await c.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`)
        const applied = rows.map((r) => r.version)
        for (const m of pendingMigrations(POSTGRES_MIGRATIONS, applied)) {
          await c.query(m.sql(s))
          await c.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
            m.version,
            m.name,
          ])
        }
        // Under the same lock: two instances creating one table at once could collide in the catalog.
        await ensureTables(createPostgresDialect(c, schema), collections)
      })
    },

    async ping() {
      await pool.query('SELECT 1')
    },

    async close() {
      if (closed) return
      closed = true
      await pool.end()
    },

    rotate(input: RotateInput): Promise<RotateResult> {
      return rotations.rotate(input)
    },

    async revokeSession(sessionId, reason, now) {
      // One statement: the revocation and its feed entry commit together.
      const rows = await query(
        `WITH ended AS (
           UPDATE ${sessions} SET revoked_at = $3, revoked_reason = $2
           WHERE id = $1 AND revoked_at IS NULL AND absolute_expires_at > $3
           RETURNING id
         ), ${writeEntry("'session'", '$1::text', '$3::bigint', '$4::bigint')}
         SELECT (SELECT count(*) FROM ended)::int AS n`,
        [sessionId, reason, now, now + revocationTtlMs],
      )
      return rows[0]?.n === 1
    },

    async revokeUserSessions(userId, reason, now) {
      // Rows are locked in id order, so two logout-alls of one user cannot deadlock each other;
      // the session rows before the cursor row, as every writer of an entry takes them.
      const rows = await query(
        `WITH revoked AS (
           UPDATE ${sessions} SET revoked_at = $3, revoked_reason = $2
           WHERE revoked_at IS NULL AND id IN (
             SELECT id FROM ${sessions}
             WHERE user_id = $1 AND revoked_at IS NULL AND absolute_expires_at > $3
             ORDER BY id FOR UPDATE)
           RETURNING id
         ), ended AS (SELECT 1 WHERE (SELECT count(*) FROM revoked) >= 0), ${writeEntry("'user'", '$1::text', '$3::bigint', '$4::bigint')}
         SELECT (SELECT count(*) FROM revoked)::int AS n`,
        [userId, reason, now, now + revocationTtlMs],
      )
      return Number(rows[0]?.n ?? 0)
    },

    async recordRevocation(kind, subject, at) {
      await query(
        `WITH ended AS (SELECT 1), ${writeEntry('$1::text', '$2::text', '$3::bigint', '$4::bigint')}
         SELECT 1`,
        [kind, subject, at, at + revocationTtlMs],
      )
    },

    async settleCounters({ reset, release }) {
      if (reset.length === 0 && release.length === 0) return
      // One statement. `locked` takes every row in key order (as hitCounters does) before either
      // write touches one: the writes read it through a one-time condition, evaluated first.
      await query(
        `WITH locked AS (
             SELECT key FROM ${counters} WHERE key = ANY($1::text[]) OR key = ANY($2::text[])
             ORDER BY key FOR UPDATE
           ), gone AS (
             DELETE FROM ${counters} WHERE key = ANY($1::text[]) AND (SELECT count(*) FROM locked) >= 0
           ), released AS (
             UPDATE ${counters} SET count = count - 1
             WHERE key = ANY($2::text[]) AND count > 0 AND (SELECT count(*) FROM locked) >= 0
           )
           SELECT 1`,
        [reset, release],
      )
    },
  }
  return translateErrors(store, postgresUnavailable)
}

/** Four connections per core: with one round trip per step, enough to keep the cores busy. */
export function defaultPoolSize(): number {
  return 4 * availableParallelism()
}

/**
 * How many rotation calls one instance keeps open at once: a quarter of its pool (one per core
 * with the default pool). Fewer, larger batches measured faster than one call per connection: on
 * a busy database every extra backend rotating at once costs lock and buffer contention
 * (docs/performance.md, issue 13), and the rest of the pool stays free for logins and the rest.
 */
function rotationCallsFor(poolSize: number): number {
  return Math.max(1, Math.floor(poolSize / 4))
}

// A bound on one rotate_refresh_batch call, so one statement never holds very many session locks.
const MAX_ROTATION_BATCH = 64

/** The RotateResult a row of rotate_refresh (migration 6) stands for; its session is the row as jsonb. */
function rotateResultFromRow(row: SqlRow | undefined): RotateResult {
  if (row === undefined) throw new Error('rotate_refresh answered no row')
  const session = () => {
    if (row.out_session == null) throw new Error(`rotate_refresh answered ${row.out_kind} without a session`)
    return sessionFromRow(row.out_session as SqlRow)
  }
  const reply = {
    kind: row.out_kind,
    detail: row.out_detail,
    generation: row.out_generation,
    session,
    roles: row.out_roles,
  }
  return rotateResultOf(reply, 'rotate_refresh')
}

function asConflict(err: unknown): unknown {
  // The successor's hash is the one unique key a rotation inserts.
  if (err instanceof pg.DatabaseError && err.code === '23505') {
    return new StoreConflictError('refresh token hash', { cause: err })
  }
  return err
}
