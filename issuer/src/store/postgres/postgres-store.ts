// The store for several issuer instances behind a load balancer: one PostgreSQL database.
// Atomicity comes from the database, never from a lock in one process: `rotate` is one call of the
// server-side function `rotate_refresh` (migration 6), which locks the session row (`SELECT ... FOR
// UPDATE`) so every step of one session runs one at a time across all instances, then consumes the
// token with a compare-and-set `UPDATE ... WHERE consumed_at IS NULL`: one round trip per refresh.
// Under load, rotations that queue while the store's rotation calls are busy go together as one
// `rotate_refresh_batch` call (migration 7): one round trip and one commit for all of them.
// Session creation is one statement too (data-modifying CTE). A login's counters are one
// multi-row `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, and settling them one CTE. Hot
// statements are named (prepared once per connection).
// Migrations take a transaction-scoped advisory lock, so instances starting together apply each once.
import { createHash } from 'node:crypto'
import { availableParallelism } from 'node:os'
import pg from 'pg'
import type { AnyCollection } from '../../core/records/collection.ts'
import type { RedeemResult } from '../../core/records/redeemable.ts'
import {
  DEFAULT_REVOCATION_TTL_MS,
  type RevocationEntry,
  type RevocationKind,
} from '../../core/revocations/revocation-store.ts'
import type { NewSession, SessionRecord } from '../../core/sessions/session-record.ts'
import type { RotateInput, RotateResult, Store } from '../../core/store.ts'
import { STORE_COLLECTIONS } from '../../core/store-collections.ts'
import { StoreConflictError } from '../../core/store-error.ts'
import { createRotationBatcher } from '../rotation-batcher.ts'
import { joinScope } from '../session-scope.ts'
import { createSqlRecords } from '../sql/create-sql-records.ts'
import { ensureTables } from '../sql/ensure-tables.ts'
import { runMigrations } from '../sql/run-migrations.ts'
import { columnOf } from '../sql/sql-columns.ts'
import {
  type SessionRow,
  type SqlInstant,
  sessionFromRow,
  type TokenRow,
  tokenFromRow,
} from '../sql/sql-rows.ts'
import { translateErrors } from '../translate-errors.ts'
import { createPostgresDialect } from './postgres-dialect.ts'
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts'
import { postgresUnavailable } from './postgres-unavailable.ts'
import { type RotateRow, rotateResultFromRow } from './rotate-row.ts'

interface NamedStatement {
  name: string
  text: string
}

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

const CONSTRAINT_FIELDS: Record<string, string> = {
  sessions_pkey: 'session id',
  refresh_tokens_pkey: 'refresh token hash',
}

export function createPostgresStore(options: PostgresStoreOptions): Store {
  const schema = options.schema ?? 'public'
  if (!IDENTIFIER.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(schema)}`)
  const s = `"${schema}"`
  const sessions = `${s}.sessions`
  const tokens = `${s}.refresh_tokens`
  const counters = `${s}.counters`
  const remembered = `${s}.remembered`
  const logins = `${s}.login_sessions`
  const loginLinks = `${s}.login_session_sessions`
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

  const query = async <R extends object>(
    sql: string | NamedStatement,
    params: unknown[] = [],
    client: pg.Pool | pg.PoolClient = pool,
  ): Promise<pg.QueryResult<R>> =>
    typeof sql === 'string' ? client.query<R>(sql, params) : client.query<R>({ ...sql, values: params })
  // The hot statements are named: each connection parses and plans them once, then only binds.
  const statements = new Map<string, NamedStatement>()
  const named = (name: string, text: string): NamedStatement => {
    let statement = statements.get(name)
    if (statement === undefined) {
      statement = { name: `tokensmith_${name}`, text }
      statements.set(name, statement)
    }
    return statement
  }

  // One rotation alone: one call of rotate_refresh (migration 6), under the session row lock, in
  // the statement's own transaction.
  const rotateOne = async (input: RotateInput): Promise<RotateResult> => {
    try {
      const { rows } = await query<RotateRow>(
        named('rotate', `SELECT * FROM ${s}.rotate_refresh($1, $2, $3, $4, $5, $6, $7)`),
        [
          input.tokenHash,
          input.now,
          input.clientId,
          input.graceMs,
          input.successor.hash,
          input.successor.idleExpiresAt,
          input.successor.sealed,
        ],
      )
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
      const { rows } = await query<RotateRow & { out_index: number }>(
        named('rotate_batch', `SELECT * FROM ${s}.rotate_refresh_batch($1, $2, $3, $4, $5, $6, $7)`),
        [
          inputs.map((i) => i.tokenHash),
          inputs.map((i) => i.now),
          inputs.map((i) => i.clientId),
          inputs.map((i) => i.graceMs),
          inputs.map((i) => i.successor.hash),
          inputs.map((i) => i.successor.idleExpiresAt),
          inputs.map((i) => i.successor.sealed),
        ],
      )
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

  async function transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect()
    let broken: Error | undefined
    try {
      await client.query('BEGIN')
      const result = await fn(client)
      await client.query('COMMIT')
      return result
    } catch (err) {
      try {
        await client.query('ROLLBACK')
      } catch (rollbackErr) {
        // A connection that cannot roll back is not handed to the next caller.
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr))
      }
      throw err
    } finally {
      client.release(broken)
    }
  }

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

  const liveTokenExists = `EXISTS (SELECT 1 FROM ${tokens} t
    WHERE t.session_id = s.id AND t.consumed_at IS NULL AND t.idle_expires_at > $NOW)`
  const sessionLive = (now: string) =>
    `(s.revoked_at IS NULL AND s.absolute_expires_at > ${now} AND ${liveTokenExists.replace('$NOW', now)})`
  const sessionDead = (now: string) => `(s.absolute_expires_at <= ${now}
    OR (s.revoked_at IS NOT NULL AND s.revoked_at <= ${now}) OR NOT ${liveTokenExists.replace('$NOW', now)})`

  async function sessionById(
    id: string,
    client: pg.Pool | pg.PoolClient = pool,
  ): Promise<SessionRecord | null> {
    const { rows } = await query<SessionRow>(`SELECT * FROM ${sessions} WHERE id = $1`, [id], client)
    return rows[0] === undefined ? null : sessionFromRow(rows[0])
  }

  const collections = options.collections ?? STORE_COLLECTIONS
  const records = createSqlRecords(createPostgresDialect(pool, schema), collections)

  const store: Store = {
    records,

    async migrate() {
      const lockKey = createHash('sha256').update(`tokensmith:migrate:${schema}`).digest().readBigInt64BE(0)
      await transaction(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey.toString()])
        if (schema !== 'public') await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`)
        await c.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`)
        const { rows } = await c.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`)
        await runMigrations(
          POSTGRES_MIGRATIONS,
          rows.map((r) => r.version),
          {
            apply: async (m) => {
              await c.query(m.sql(s))
            },
            record: async (m) => {
              await c.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
                m.version,
                m.name,
              ])
            },
          },
        )
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

    async createSession(session: NewSession) {
      try {
        // One statement, so one round trip: the session and its first token commit together.
        const { rows } = await query<SessionRow>(
          named(
            'create_session',
            `WITH created AS (
               INSERT INTO ${sessions} (id, user_id, client_id, created_at, last_used_at, absolute_expires_at,
                 client_ip, user_agent, scope, public_client, claims, amr, acr, auth_time)
               VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $12, $13, $14, $15) RETURNING *
             ), first_token AS (
               INSERT INTO ${tokens} (hash, session_id, generation, created_at, idle_expires_at)
               SELECT $10, id, 1, $4, $11 FROM created
             )
             SELECT * FROM created`,
          ),
          newSessionParams(session),
        )
        return sessionFromRow(rows[0]!)
      } catch (err) {
        throw asConflict(err)
      }
    },

    async getSession(id) {
      return sessionById(id)
    },

    async findToken(tokenHash) {
      const { rows } = await query<TokenRow>(
        `SELECT hash, session_id, generation, created_at, idle_expires_at, consumed_at FROM ${tokens} WHERE hash = $1`,
        [tokenHash],
      )
      return rows[0] === undefined ? null : tokenFromRow(rows[0])
    },

    rotate(input: RotateInput): Promise<RotateResult> {
      return rotations.rotate(input)
    },

    async revokeSession(sessionId, reason, now) {
      // One statement: the revocation and its feed entry commit together.
      const { rows } = await query<{ n: number }>(
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
      const { rows } = await query<{ n: number }>(
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
      return rows[0]?.n ?? 0
    },

    async recordRevocation(kind, subject, at) {
      await query(
        `WITH ended AS (SELECT 1), ${writeEntry('$1::text', '$2::text', '$3::bigint', '$4::bigint')}
         SELECT 1`,
        [kind, subject, at, at + revocationTtlMs],
      )
    },

    async readRevocations(since, now) {
      // One statement, one snapshot: the cursor and the entries up to it agree.
      const { rows } = await query<{
        cursor: SqlInstant
        seq: SqlInstant | null
        kind: RevocationKind | null
        subject: string | null
        at: SqlInstant | null
        until: SqlInstant | null
      }>(
        `SELECT c.value AS cursor, r.seq, r.kind, r.subject, r.at, r.until
         FROM ${revocationCursor} c
         LEFT JOIN ${revocations} r ON r.seq > $1 AND r.seq <= c.value AND r.until > $2
         WHERE c.id = 1
         ORDER BY r.seq`,
        [since, now],
      )
      const entries: RevocationEntry[] = []
      for (const row of rows) {
        if (row.seq === null || row.kind === null || row.subject === null) continue
        entries.push({
          seq: Number(row.seq),
          kind: row.kind,
          subject: row.subject,
          at: Number(row.at),
          until: Number(row.until),
        })
      }
      return { cursor: Number(rows[0]?.cursor ?? 0), entries }
    },

    async listSessions(userId, now) {
      const { rows } = await query<SessionRow>(
        `SELECT s.* FROM ${sessions} s
         WHERE s.user_id = $1 AND ${sessionLive('$2')}
         ORDER BY s.created_at DESC, s.id`,
        [userId, now],
      )
      return rows.map(sessionFromRow)
    },

    async purgeExpired(now) {
      // Sessions being rotated right now are locked: skip them rather than wait; the next purge
      // sees them as they are then.
      const deadSessions = await query<{ n: SqlInstant }>(
        `WITH dead AS (
           SELECT s.id FROM ${sessions} s WHERE ${sessionDead('$1')} FOR UPDATE OF s SKIP LOCKED
         ), gone_tokens AS (
           DELETE FROM ${tokens} WHERE session_id IN (SELECT id FROM dead) RETURNING 1
         ), gone_sessions AS (
           DELETE FROM ${sessions} WHERE id IN (SELECT id FROM dead) RETURNING 1
         )
         SELECT (SELECT count(*) FROM gone_tokens) + (SELECT count(*) FROM gone_sessions) AS n`,
        [now],
      )
      // Consumed tokens past their idle expiry can only ever answer 'idle_expired'; without them
      // they answer 'unknown', the same 401, and long sessions stop growing the table.
      const oldTokens = await query(
        `DELETE FROM ${tokens} WHERE consumed_at IS NOT NULL AND idle_expires_at <= $1`,
        [now],
      )
      const oldCounters = await query(`DELETE FROM ${counters} WHERE reset_at <= $1`, [now])
      const forgotten = await query(`DELETE FROM ${remembered} WHERE until <= $1`, [now])
      const lapsed = await query(`DELETE FROM ${revocations} WHERE until <= $1`, [now])
      const expired = await records.purge(now)
      // The links of login sessions and sessions purged, by either step.
      const oldLinks = await query(
        `DELETE FROM ${loginLinks} l WHERE NOT EXISTS (SELECT 1 FROM ${logins} g WHERE g.id = l.login_session_id)
           OR NOT EXISTS (SELECT 1 FROM ${sessions} s WHERE s.id = l.session_id)`,
      )
      return (
        Number(deadSessions.rows[0]?.n ?? 0) +
        (oldTokens.rowCount ?? 0) +
        (oldCounters.rowCount ?? 0) +
        (forgotten.rowCount ?? 0) +
        (lapsed.rowCount ?? 0) +
        expired +
        (oldLinks.rowCount ?? 0)
      )
    },

    async hitCounters(keys, now, windowMs) {
      if (keys.length === 0) return []
      // One statement for every key. Rows are taken in key order, as settleCounters locks them,
      // so two steps over the same keys wait for each other instead of deadlocking.
      const { rows } = await query<{ key: string; count: number; reset_at: SqlInstant }>(
        named(
          'hit_counters',
          `INSERT INTO ${counters} AS c (key, count, reset_at)
           SELECT k, 1, $3::bigint FROM unnest($1::text[]) AS k ORDER BY k
           ON CONFLICT (key) DO UPDATE SET
             count = CASE WHEN c.reset_at <= $2 THEN 1 ELSE c.count + 1 END,
             reset_at = CASE WHEN c.reset_at <= $2 THEN EXCLUDED.reset_at ELSE c.reset_at END
           RETURNING key, count, reset_at`,
        ),
        [keys, now, now + windowMs],
      )
      const byKey = new Map(rows.map((r) => [r.key, { count: r.count, resetAt: Number(r.reset_at) }]))
      return keys.map((key) => byKey.get(key)!)
    },

    async settleCounters({ reset, release }) {
      if (reset.length === 0 && release.length === 0) return
      // One statement. `locked` takes every row in key order (as hitCounters does) before either
      // write touches one: the writes read it through a one-time condition, evaluated first.
      await query(
        named(
          'settle_counters',
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
        ),
        [reset, release],
      )
    },

    async rememberOnce(key, until, now) {
      // One upsert: a live entry is left alone and returns no row; a passed one is taken over.
      // Concurrent inserts of one key wait for each other on its unique index.
      const { rowCount } = await query(
        `INSERT INTO ${remembered} AS r (key, until) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET until = EXCLUDED.until WHERE r.until <= $3
         RETURNING r.key`,
        [key, until, now],
      )
      return rowCount === 1
    },

    async redeemOnce(c, key, now, session) {
      const table = `${s}.${c.name}`
      const where = c.key.map((field, i) => `${columnOf(field)} = $${i + 1}`).join(' AND ')
      const keyValues = c.key.map((field) => key[field])
      const n = keyValues.length
      const login = 'loginSessionId' in c.fields ? 'login_session_id' : 'NULL::text'
      try {
        return await transaction(async (client): Promise<RedeemResult> => {
          // Compare-and-set on the record's row: a concurrent redemption waits for this row's
          // lock, then finds it consumed and matches nothing.
          const consumed = await query<{ login: string | null }>(
            `UPDATE ${table} SET consumed_at = $${n + 1}, session_id = $${n + 2}
             WHERE ${where} AND consumed_at IS NULL AND expires_at > $${n + 1} RETURNING ${login} AS login`,
            [...keyValues, now, session.id],
            client,
          )
          const redeemed = consumed.rows[0]
          if (redeemed === undefined) {
            const { rows } = await query<{ session_id: string | null }>(
              `SELECT session_id FROM ${table} WHERE ${where} AND consumed_at IS NOT NULL`,
              keyValues,
              client,
            )
            const sessionId = rows[0]?.session_id
            return sessionId === undefined || sessionId === null
              ? { kind: 'invalid' }
              : { kind: 'replayed', sessionId }
          }
          // The session and its first token in one statement, as createSession writes them.
          const { rows } = await query<SessionRow>(
            `WITH created AS (
               INSERT INTO ${sessions} (id, user_id, client_id, created_at, last_used_at, absolute_expires_at,
                 client_ip, user_agent, scope, public_client, claims, amr, acr, auth_time)
               VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $12, $13, $14, $15) RETURNING *
             ), token AS (
               INSERT INTO ${tokens} (hash, session_id, generation, created_at, idle_expires_at)
               VALUES ($10, $1, 1, $4, $11)
             ), link AS (
               INSERT INTO ${loginLinks} (login_session_id, session_id)
               SELECT $16::text, $1 WHERE $16::text IS NOT NULL ON CONFLICT DO NOTHING
             )
             SELECT * FROM created`,
            [...newSessionParams(session), redeemed.login],
            client,
          )
          return { kind: 'redeemed', session: sessionFromRow(rows[0]!) }
        })
      } catch (err) {
        throw asConflict(err)
      }
    },

    async endLoginSession(id, now) {
      return transaction(async (c) => {
        // The row lock orders this after a redeem that is linking a session to it right now.
        await query(
          `UPDATE ${logins} SET ended_at = COALESCE(ended_at, $2), idle_expires_at = LEAST(idle_expires_at, $2)
           WHERE id = $1`,
          [id, now],
          c,
        )
        const { rows } = await query<{ session_id: string }>(
          `SELECT session_id FROM ${loginLinks} WHERE login_session_id = $1 ORDER BY session_id COLLATE "C"`,
          [id],
          c,
        )
        return rows.map((r) => r.session_id)
      })
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

function asConflict(err: unknown): unknown {
  if (err instanceof pg.DatabaseError && err.code === '23505') {
    return new StoreConflictError(CONSTRAINT_FIELDS[err.constraint ?? ''] ?? 'unique key', { cause: err })
  }
  return err
}

/** $1..$15 of both statements that insert a session and its first refresh token. */
function newSessionParams(session: NewSession): unknown[] {
  return [
    session.id,
    session.userId,
    session.clientId,
    session.createdAt,
    session.absoluteExpiresAt,
    session.clientIp,
    session.userAgent,
    joinScope(session.scope),
    session.publicClient,
    session.tokenHash,
    Math.min(session.idleExpiresAt, session.absoluteExpiresAt),
    joinScope(session.claims ?? []),
    joinScope(session.amr ?? []),
    session.acr ?? null,
    session.authTime ?? null,
  ]
}
