// The atomic steps both SQL stores take the same way, written once over the dialect: statements in
// PostgreSQL's spelling ($n parameters, which the SQLite dialect rewrites), a step of several
// statements run by the dialect's `atomic` as one transaction. Each store keeps its own rotation
// (its hot path), revocations with their feed entry (PostgreSQL's cursor row, SQLite's
// AUTOINCREMENT), settling counters (one statement on PostgreSQL: a login's round trip) and the
// dead sessions of a purge (PostgreSQL skips the locked ones).

import { f } from '../../core/records/field-spec.ts'
import type { RedeemResult } from '../../core/records/redeemable.ts'
import type { RevocationKind } from '../../core/revocations/revocation-store.ts'
import type { NewSession, SessionRecord } from '../../core/sessions/session-record.ts'
import type { Store } from '../../core/store.ts'
import { StoreConflictError } from '../../core/store-error.ts'
import { joinScope } from '../session-scope.ts'
import type { SqlRecords } from './create-sql-records.ts'
import { columnOf, sessionFromRow, tokenFromRow } from './sql-columns.ts'
import type { SqlDialect, SqlStatement, SqlStep } from './sql-dialect.ts'

/** What each store brings to the shared steps. */
export interface SqlStepsOptions {
  /** Deletes the dead sessions and their tokens (each store as its locks call for); answers how many rows. */
  purgeDeadSessions(now: number): Promise<number>
  /** A query answering the revocation feed's cursor as `value`: its last sequence (no row: none yet). */
  revocationCursor: string
}

/** Tables whose rows are gone once the instant in a column has passed. */
const PASSED = [
  ['counters', 'reset_at'],
  ['remembered', 'until'],
  ['revocations', 'until'],
] as const

/**
 * The session `s` is live: not revoked, not past its absolute lifetime, with a live token (its one
 * unconsumed token, not idled out) at `now` (a parameter); with `live` false, dead as purge takes it.
 */
export function sessionLive(tokens: string, now: string, live = true): string {
  const liveToken = `EXISTS (SELECT 1 FROM ${tokens} t
    WHERE t.session_id = s.id AND t.consumed_at IS NULL AND t.idle_expires_at > ${now})`
  // Dead: past its absolute lifetime, revoked by `now`, or idled out.
  return live
    ? `(s.revoked_at IS NULL AND s.absolute_expires_at > ${now} AND ${liveToken})`
    : `(s.absolute_expires_at <= ${now} OR (s.revoked_at IS NOT NULL AND s.revoked_at <= ${now})
      OR NOT ${liveToken})`
}

/** The shared steps over `d`. */
export function createSqlSteps(
  d: SqlDialect,
  records: SqlRecords,
  { purgeDeadSessions, revocationCursor }: SqlStepsOptions,
) {
  const sessions = d.table('sessions')
  const tokens = d.table('refresh_tokens')
  const links = d.table('login_session_sessions')
  const flag = f.bool()

  /**
   * The statements that write a session, its first token and its link to the login session (when
   * `login` is not null), the first answering the session's row: one statement (data-modifying
   * WITH) where the dialect has them, so creating a session is one round trip.
   */
  function sessionWrites(session: NewSession, login: string | null): SqlStatement[] {
    const params = [
      session.id,
      session.userId,
      session.clientId,
      session.createdAt,
      session.absoluteExpiresAt,
      session.clientIp,
      session.userAgent,
      joinScope(session.scope),
      d.toParam(flag, session.publicClient),
      session.tokenHash,
      Math.min(session.idleExpiresAt, session.absoluteExpiresAt),
      joinScope(session.claims ?? []),
      joinScope(session.amr ?? []),
      session.acr ?? null,
      session.authTime ?? null,
      login,
    ]
    const created = `INSERT INTO ${sessions} (id, user_id, client_id, created_at, last_used_at,
        absolute_expires_at, client_ip, user_agent, scope, public_client, claims, amr, acr, auth_time)
      VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $12, $13, $14, $15) RETURNING *`
    const token = `INSERT INTO ${tokens} (hash, session_id, generation, created_at, idle_expires_at)
      VALUES ($10, $1, 1, $4, $11)`
    const link = `INSERT INTO ${links} (login_session_id, session_id)
      SELECT CAST($16 AS TEXT), $1 WHERE CAST($16 AS TEXT) IS NOT NULL ON CONFLICT DO NOTHING`
    if (d.writableCte) {
      return [
        [
          `WITH created AS (${created}), token AS (${token}), link AS (${link}) SELECT * FROM created`,
          params,
        ],
      ]
    }
    return [[created, params], [token, params], ...(login === null ? [] : [[link, params] as SqlStatement])]
  }

  /** Runs `writes` in order inside the caller's step; the session the first one answers. */
  function* writeAll(writes: SqlStatement[]): SqlStep<SessionRecord> {
    let first: SessionRecord | undefined
    for (const statement of writes) {
      const rows = yield statement
      first ??= sessionFromRow(rows[0]!)
    }
    return first!
  }

  /** A unique violation of a session or token row as the port's conflict; anything else as it was. */
  const conflicts = async <T>(step: () => Promise<T>): Promise<T> => {
    try {
      return await step()
    } catch (err) {
      const violation = d.uniqueViolation(err)
      if (violation === null) throw err
      throw new StoreConflictError(violation.table === 'sessions' ? 'session id' : 'refresh token hash', {
        cause: err,
      })
    }
  }

  return {
    async createSession(session) {
      const writes = sessionWrites(session, null)
      return conflicts(async () =>
        writes.length === 1 ? sessionFromRow((await d.query(...writes[0]!))[0]!) : d.atomic(writeAll(writes)),
      )
    },

    async getSession(id) {
      const [row] = await d.query(`SELECT * FROM ${sessions} WHERE id = $1`, [id])
      return row === undefined ? null : sessionFromRow(row)
    },

    async findToken(tokenHash) {
      const [row] = await d.query(
        `SELECT hash, session_id, generation, created_at, idle_expires_at, consumed_at FROM ${tokens} WHERE hash = $1`,
        [tokenHash],
      )
      return row === undefined ? null : tokenFromRow(row)
    },

    async listSessions(userId, now) {
      const rows = await d.query(
        `SELECT s.* FROM ${sessions} s WHERE s.user_id = $1 AND ${sessionLive(tokens, '$2')}
         ORDER BY s.created_at DESC, s.id`,
        [userId, now],
      )
      return rows.map(sessionFromRow)
    },

    async purgeExpired(now) {
      let deleted = await purgeDeadSessions(now)
      // Consumed tokens past their idle expiry can only ever answer 'idle_expired'; without them
      // they answer 'unknown', the same 401, and long sessions stop growing the table.
      deleted += await d.execute(
        `DELETE FROM ${tokens} WHERE consumed_at IS NOT NULL AND idle_expires_at <= $1`,
        [now],
      )
      for (const [table, column] of PASSED) {
        deleted += await d.execute(`DELETE FROM ${d.table(table)} WHERE ${column} <= $1`, [now])
      }
      deleted += await records.purge(now)
      // The links of login sessions and sessions purged, by either step.
      return (
        deleted +
        (await d.execute(
          `DELETE FROM ${links}
           WHERE NOT EXISTS (SELECT 1 FROM ${d.table('login_sessions')} g WHERE g.id = login_session_id)
             OR NOT EXISTS (SELECT 1 FROM ${sessions} s WHERE s.id = session_id)`,
          [],
        ))
      )
    },

    async hitCounters(keys, now, windowMs) {
      if (keys.length === 0) return []
      // One statement for every key, taken in key order (as settleCounters locks them), so two
      // steps over the same keys wait for each other instead of deadlocking.
      const sorted = [...keys].sort()
      const rows = await d.query(
        `INSERT INTO ${d.table('counters')} AS c (key, count, reset_at)
         VALUES ${sorted.map((_, i) => `($${i + 3}, 1, $2)`).join(', ')}
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN c.reset_at <= $1 THEN 1 ELSE c.count + 1 END,
           reset_at = CASE WHEN c.reset_at <= $1 THEN excluded.reset_at ELSE c.reset_at END
         RETURNING key, count, reset_at`,
        [now, now + windowMs, ...sorted],
      )
      const byKey = new Map(rows.map((r) => [r.key, { count: Number(r.count), resetAt: Number(r.reset_at) }]))
      return keys.map((key) => byKey.get(key)!)
    },

    async rememberOnce(key, until, now) {
      // One upsert: a live entry is left alone and returns no row; a passed one is taken over.
      // Concurrent inserts of one key wait for each other on its unique index.
      const rows = await d.query(
        `INSERT INTO ${d.table('remembered')} AS r (key, until) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET until = excluded.until WHERE r.until <= $3
         RETURNING key`,
        [key, until, now],
      )
      return rows.length === 1
    },

    async redeemOnce(c, key, now, session) {
      const table = d.table(c.name)
      const where = c.key.map((field, i) => `${columnOf(field)} = $${i + 1}`).join(' AND ')
      const keyValues = c.key.map((field) => key[field])
      const n = keyValues.length
      const login = 'loginSessionId' in c.fields ? 'login_session_id' : 'CAST(NULL AS TEXT)'
      return conflicts(() =>
        d.atomic(
          (function* (): SqlStep<RedeemResult> {
            // Compare-and-set on the record's row: a concurrent redemption (on PostgreSQL, waiting
            // for this row's lock) then finds it consumed and matches nothing.
            const [redeemed] = yield [
              `UPDATE ${table} SET consumed_at = $${n + 1}, session_id = $${n + 2}
               WHERE ${where} AND consumed_at IS NULL AND expires_at > $${n + 1} RETURNING ${login} AS login`,
              [...keyValues, now, session.id],
            ]
            if (redeemed === undefined) {
              const [consumed] = yield [
                `SELECT session_id FROM ${table} WHERE ${where} AND consumed_at IS NOT NULL`,
                keyValues,
              ]
              const sessionId = consumed?.session_id
              return typeof sessionId === 'string' ? { kind: 'replayed', sessionId } : { kind: 'invalid' }
            }
            const writes = sessionWrites(session, (redeemed.login as string | null) ?? null)
            return { kind: 'redeemed', session: yield* writeAll(writes) }
          })(),
        ),
      )
    },

    async readRevocations(since, now) {
      // One statement, one snapshot: the cursor and the entries up to it agree.
      const rows = await d.query(
        `SELECT c.value AS cursor, r.seq, r.kind, r.subject, r.at, r.until
         FROM (${revocationCursor}) c
         LEFT JOIN ${d.table('revocations')} r ON r.seq > $1 AND r.seq <= c.value AND r.until > $2
         ORDER BY r.seq`,
        [since, now],
      )
      const entries = rows
        .filter((r) => r.seq !== null)
        .map((r) => ({
          seq: Number(r.seq),
          kind: r.kind as RevocationKind,
          subject: String(r.subject),
          at: Number(r.at),
          until: Number(r.until),
        }))
      return { cursor: Number(rows[0]?.cursor ?? 0), entries }
    },

    async endLoginSession(id, now) {
      return d.atomic(
        (function* (): SqlStep<string[]> {
          // The row lock orders this after a redeem that is linking a session to it right now.
          yield [
            `UPDATE ${d.table('login_sessions')} SET ended_at = COALESCE(ended_at, $2),
               idle_expires_at = CASE WHEN idle_expires_at < $2 THEN idle_expires_at ELSE $2 END
             WHERE id = $1`,
            [id, now],
          ]
          const rows = yield [
            `SELECT session_id FROM ${links} WHERE login_session_id = $1 ORDER BY ${d.order('session_id')}`,
            [id],
          ]
          return rows.map((r) => String(r.session_id))
        })(),
      )
    },
  } satisfies Partial<Store>
}
