// The Redis store, for deployments that already run Redis as their shared state. Every step
// that reads and then writes is one Lua script (see redis-scripts.ts), which Redis runs alone,
// start to finish: that is what makes rotation and counters atomic across issuer instances.
// Key layout under the prefix P. Records (redis-records.ts), for a collection with redisKey k:
//   k:<key> (hash: a field per record field; key = its key fields' values joined by ':')
//   k#unique:<field>:<value> -> key   k#index:<field>:<value> (zset, score 0: by key)
//   k#all (zset, score 0; collections listed whole)   k#expiry (zset: when each expires, for purge)
// so user:<id>, client:<id>, consent:<userId>:<clientId>, login-session:<id>, auth-code:<hash>.
// The rest, kept by this file's own steps:
//   session:<id> (hash)   user-sessions:<userId> (set)   session-tokens:<id> (set of hashes)
//   token:<hash> (hash)   sessions-by-deadline (zset: when a session dies, for purge)
//   counter:<key> (hash)   counters-by-reset (zset)
//   remembered:<key> (string: its until)   remembered-by-until (zset, for purge)
//   login-session-sessions:<id> (set of the session ids its redemptions started)
//   revocations (hash: kind:subject -> "at until seq")   revocation-seq (the feed's cursor, INCR)
//   revocations-by-seq (zset, for deltas)   revocations-by-until (zset, for purge)
//   schema-version, schema-lock (redis-migrate.ts)
// TTLs (a day past the logical expiry) make Redis drop what the background purge misses; purge
// and every check still compare the caller's instants.
import { Redis, type RedisOptions } from 'ioredis'
import { LOGIN_SESSIONS } from '../../core/authorization/login-session-collection.ts'
import type { AnyCollection } from '../../core/records/collection.ts'
import { DEFAULT_REVOCATION_TTL_MS, type RevocationEntry } from '../../core/revocations/revocation-store.ts'
import type { NewSession, SessionRecord } from '../../core/sessions/session-record.ts'
import type { RotateInput, RotateResult, Store } from '../../core/store.ts'
import { STORE_COLLECTIONS } from '../../core/store-collections.ts'
import { recordFrom } from '../record-codec.ts'
import { rotateResultOf } from '../rotate-reply.ts'
import { joinScope } from '../session-scope.ts'
import { STORED_SESSION, STORED_TOKEN } from '../stored-session.ts'
import { translateErrors } from '../translate-errors.ts'
import { migrateRedis } from './redis-migrate.ts'
import { createRedisRecords, keyString } from './redis-records.ts'
import { drain, PURGE_BATCH, pairs, scriptRunner } from './redis-script.ts'
import * as SCRIPTS from './redis-scripts.ts'
import { redisUnavailable } from './redis-unavailable.ts'

export interface RedisStoreOptions {
  /** redis:// or rediss:// URL. */
  url: string
  /** Prepended to every key, so several issuers (or test runs) can share one Redis. */
  prefix?: string
  /** Extra ioredis options (timeouts, TLS); the URL still decides host and credentials. */
  redisOptions?: RedisOptions
  /** Connection errors; the store itself never logs. */
  onError?: (err: Error) => void
  /** How long a revocation entry lasts: the access-token lifetime plus the clock skew. */
  revocationTtlMs?: number
  /** The collections to purge (default: the issuer's, core/store-collections.ts). */
  collections?: readonly AnyCollection[]
}

/** How long Redis keeps a session, token or record past its logical expiry. */
const RETENTION_MS = 86_400_000
const COUNTER_RETENTION_MS = 60_000

export function createRedisStore(options: RedisStoreOptions): Store {
  const P = options.prefix ?? 'tokensmith:'
  const revocationTtl = String(Math.trunc(options.revocationTtlMs ?? DEFAULT_REVOCATION_TTL_MS))
  // Auto-pipelining: the commands of one event-loop turn (the refreshes of many requests) go out
  // in one write, and their replies come back in one read.
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    ...options.redisOptions,
  })
  // Without a listener ioredis prints connection errors itself; the store stays silent.
  redis.on('error', (err: Error) => options.onError?.(err))
  // Each (re)connection loads every script once, so each step is one EVALSHA round trip from the
  // first request on; a Redis that lost them (SCRIPT FLUSH, failover) is handled by `run`.
  redis.on('ready', () => {
    for (const s of Object.values(SCRIPTS)) redis.script('LOAD', s.lua).catch(() => {})
  })

  const k = {
    session: (id: string) => `${P}session:${id}`,
    userSessions: (userId: string) => `${P}user-sessions:${userId}`,
    sessionTokens: (id: string) => `${P}session-tokens:${id}`,
    token: (hash: string) => `${P}token:${hash}`,
    deadlines: `${P}sessions-by-deadline`,
    counter: (key: string) => `${P}counter:${key}`,
    counterResets: `${P}counters-by-reset`,
    remembered: (key: string) => `${P}remembered:${key}`,
    rememberedByUntil: `${P}remembered-by-until`,
    loginLinks: (id: string) => `${P}login-session-sessions:${id}`,
  }

  /**
   * The keys and arguments of CREATE_SESSION for `session` (REDEEM_ONCE takes the same), and the
   * session's hash as the script writes it.
   */
  function sessionWrite(session: NewSession): { keys: string[]; args: string[]; written: SessionRecord } {
    const idle = Math.min(session.idleExpiresAt, session.absoluteExpiresAt)
    const sessionFields = hashItems({
      id: session.id,
      userId: session.userId,
      clientId: session.clientId,
      createdAt: session.createdAt,
      lastUsedAt: session.createdAt,
      absoluteExpiresAt: session.absoluteExpiresAt,
      liveIdleExpiresAt: idle,
      scope: joinScope(session.scope),
      publicClient: session.publicClient ? 1 : 0,
      clientIp: session.clientIp,
      userAgent: session.userAgent,
      // Most sessions asked for no claims: the hash (and every rotation's reply) stays as it was.
      claims: session.claims?.length ? joinScope(session.claims) : null,
      // Absent, as in sessions from before them, when the caller gave none.
      amr: session.amr?.length ? joinScope(session.amr) : null,
      acr: session.acr ?? null,
      authTime: session.authTime ?? null,
    })
    const tokenFields = hashItems({
      sessionId: session.id,
      generation: 1,
      createdAt: session.createdAt,
      idleExpiresAt: idle,
    })
    return {
      keys: [
        k.session(session.id),
        k.token(session.tokenHash),
        k.userSessions(session.userId),
        k.sessionTokens(session.id),
        k.deadlines,
      ],
      args: [
        session.id,
        session.tokenHash,
        ttl(session.absoluteExpiresAt - session.createdAt),
        ttl(idle - session.createdAt),
        String(idle),
        String(sessionFields.length),
        ...sessionFields,
        ...tokenFields,
      ],
      written: toSession(pairs(sessionFields)),
    }
  }

  const run = scriptRunner(redis, P)
  const collections = options.collections ?? STORE_COLLECTIONS
  const records = createRedisRecords(redis, run, P, RETENTION_MS)

  const store: Store = {
    records,

    async migrate() {
      await migrateRedis(redis, P, records)
    },

    async ping() {
      await redis.ping()
    },

    async close() {
      if (redis.status === 'end') return
      if (redis.status === 'ready') await redis.quit()
      else redis.disconnect()
    },

    async createSession(session: NewSession) {
      const write = sessionWrite(session)
      await run(SCRIPTS.CREATE_SESSION, write.keys, write.args)
      // The script wrote exactly these fields to a new key: no read back, so one round trip.
      return write.written
    },

    async getSession(id) {
      const hash = await redis.hgetall(k.session(id))
      return Object.keys(hash).length === 0 ? null : toSession(hash)
    },

    async findToken(tokenHash) {
      const hash = await redis.hgetall(k.token(tokenHash))
      if (Object.keys(hash).length === 0) return null
      return recordFrom(STORED_TOKEN, (field) => (field === 'hash' ? tokenHash : hash[field]))
    },

    async rotate(input: RotateInput): Promise<RotateResult> {
      const reply = await run(
        SCRIPTS.ROTATE,
        [k.token(input.tokenHash), k.token(input.successor.hash), k.deadlines],
        [
          String(input.now),
          String(input.graceMs),
          input.successor.hash,
          String(input.successor.idleExpiresAt),
          input.successor.sealed,
          RETENTION_MS,
          input.clientId === null ? '0' : '1',
          input.clientId ?? '',
        ],
      )
      if (!Array.isArray(reply)) throw new Error('unexpected reply from the rotate script')
      const [kind, detail, sessionFlat, roles] = reply as unknown[]
      const session = () => toSession(pairs(sessionFlat))
      return rotateResultOf({ kind, detail, generation: detail, session, roles }, 'the rotate script')
    },

    async revokeSession(sessionId, reason, now) {
      const revoked = await run(
        SCRIPTS.REVOKE_SESSION,
        [k.session(sessionId), k.deadlines],
        [String(now), reason, sessionId, revocationTtl],
      )
      return revoked === 1
    },

    async revokeUserSessions(userId, reason, now) {
      return Number(
        await run(
          SCRIPTS.REVOKE_USER_SESSIONS,
          [k.userSessions(userId), k.deadlines],
          [String(now), reason, userId, revocationTtl],
        ),
      )
    },

    async recordRevocation(kind, subject, at) {
      await run(SCRIPTS.RECORD_REVOCATION, [], [kind, subject, String(Math.trunc(at)), revocationTtl])
    },

    async readRevocations(since, now) {
      const reply = await run(SCRIPTS.READ_REVOCATIONS, [], [String(Math.trunc(since)), String(now)])
      if (!Array.isArray(reply)) throw new Error('unexpected reply from the revocation read script')
      const entries: RevocationEntry[] = []
      for (let i = 1; i + 3 < reply.length; i += 4) {
        const id = String(reply[i])
        const colon = id.indexOf(':')
        const kind = id.slice(0, colon)
        if (kind !== 'session' && kind !== 'user') continue
        entries.push({
          kind,
          subject: id.slice(colon + 1),
          at: Number(reply[i + 1]),
          until: Number(reply[i + 2]),
          seq: Number(reply[i + 3]),
        })
      }
      return { cursor: Number(reply[0]), entries }
    },

    async listSessions(userId, now) {
      const ids = await redis.smembers(k.userSessions(userId))
      const hashes = await Promise.all(ids.map((id) => redis.hgetall(k.session(id))))
      const stale = ids.filter((_, i) => Object.keys(hashes[i] ?? {}).length === 0)
      // Sessions Redis expired on its own leave their id behind in the user's set.
      if (stale.length > 0) await redis.srem(k.userSessions(userId), ...stale)
      return hashes
        .filter((h) => Object.keys(h).length > 0)
        .filter(
          (h) =>
            h.revokedAt === undefined &&
            Number(h.absoluteExpiresAt) > now &&
            Number(h.liveIdleExpiresAt) > now,
        )
        .map(toSession)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    },

    async purgeExpired(now) {
      let removed = await drain(async () => {
        const reply = await run(
          SCRIPTS.PURGE,
          [k.deadlines, k.counterResets, k.rememberedByUntil],
          [String(now), PURGE_BATCH],
        )
        if (!Array.isArray(reply)) throw new Error('unexpected reply from the purge script')
        return [Number(reply[0]), Number(reply[1])]
      })
      for (const c of collections) {
        if (c.expiry === undefined) continue
        // A purged login session's links go with it.
        removed += await records.purge(c, now, c.redisKey === LOGIN_SESSIONS.redisKey ? k.loginLinks('') : '')
      }
      return removed
    },

    async hitCounters(keys, now, windowMs) {
      if (keys.length === 0) return []
      const resetAt = now + windowMs
      const reply = await run(
        SCRIPTS.HIT_COUNTERS,
        [...keys.map(k.counter), k.counterResets],
        [
          String(now),
          String(resetAt),
          String(Math.max(0, Math.trunc(windowMs)) + COUNTER_RETENTION_MS),
          ...keys,
        ],
      )
      if (!Array.isArray(reply) || reply.length !== 2 * keys.length)
        throw new Error('unexpected reply from the counter script')
      return keys.map((_, i) => ({ count: Number(reply[2 * i]), resetAt: Number(reply[2 * i + 1]) }))
    },

    async settleCounters({ reset, release }) {
      if (reset.length === 0 && release.length === 0) return
      await run(
        SCRIPTS.SETTLE_COUNTERS,
        [...reset.map(k.counter), ...release.map(k.counter), k.counterResets],
        [String(reset.length), ...reset],
      )
    },

    async rememberOnce(key, until, now) {
      const ttl = String(Math.max(1, Math.trunc(until - now)))
      const reply = await run(
        SCRIPTS.REMEMBER_ONCE,
        [k.remembered(key), k.rememberedByUntil],
        [String(now), String(until), ttl, key],
      )
      return reply === 1
    },

    async redeemOnce(c, key, now, session) {
      const write = sessionWrite(session)
      const reply = await run(SCRIPTS.REDEEM_ONCE, write.keys, [
        records.layout(c),
        keyString(c, key),
        String(now),
        ...write.args,
      ])
      if (!Array.isArray(reply)) throw new Error('unexpected reply from the redeem script')
      const [kind, detail] = reply as unknown[]
      switch (kind) {
        case 'redeemed':
          return { kind: 'redeemed', session: write.written }
        case 'replayed':
          return { kind: 'replayed', sessionId: String(detail) }
        case 'invalid':
          return { kind: 'invalid' }
        default:
          throw new Error('unexpected reply from the redeem script')
      }
    },

    async endLoginSession(id, now) {
      const ids = await run(SCRIPTS.END_LOGIN_SESSION, [], [records.layout(LOGIN_SESSIONS), id, String(now)])
      if (!Array.isArray(ids)) throw new Error('unexpected reply from the end-login-session script')
      return ids.map(String).sort(byCodePoint)
    },
  }
  return translateErrors(store, redisUnavailable)
}

/** HSET's field/value items: a null value is left out, absent from the hash. */
function hashItems(fields: Record<string, string | number | null>): string[] {
  return Object.entries(fields).flatMap(([field, value]) => (value === null ? [] : [field, String(value)]))
}

/** A TTL in whole milliseconds: the remaining lifetime plus retention, never zero or negative. */
function ttl(remainingMs: number): string {
  return String(Math.max(0, Math.trunc(remainingMs)) + RETENTION_MS)
}

/** A session hash as a record. Sessions from before the field are all public clients'. */
function toSession(h: Record<string, string>): SessionRecord {
  return recordFrom(STORED_SESSION, (field) => (field === 'publicClient' ? (h[field] ?? '1') : h[field]))
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
