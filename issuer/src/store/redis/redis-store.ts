// The Redis store, for deployments that already run Redis as their shared state. Every step
// that reads and then writes is one Lua script (see redis-scripts.ts), which Redis runs alone,
// start to finish: that is what makes rotation and counters atomic across issuer instances.
// Key layout under the prefix P:
//   user:<id> (hash)   username:<name> -> id   users (set of ids)
//   session:<id> (hash)   user-sessions:<userId> (set)   session-tokens:<id> (set of hashes)
//   token:<hash> (hash)   sessions-by-deadline (zset: when a session dies, for purge)
//   counter:<key> (hash)   counters-by-reset (zset)
//   client:<id> (hash)   clients (set of ids)
//   remembered:<key> (string: its until)   remembered-by-until (zset, for purge)
//   auth-code:<hash> (hash)   codes-by-expiry (zset)
//   login-session:<id> (hash)   login-secret:<secretHash> -> id   login-sessions-by-deadline (zset)
//   login-session-sessions:<id> (set of the session ids its codes started)
//   consents:<userId> (hash: client id -> {"scope", "grantedAt"} JSON)
//   revocations (hash: kind:subject -> "at until seq")   revocation-seq (the feed's cursor, INCR)
//   revocations-by-seq (zset, for deltas)   revocations-by-until (zset, for purge)
// TTLs (relative to the caller's `now`, plus a day's retention) make Redis drop what the
// background purge misses; purge and every check still compare the caller's instants.
import { createHash } from 'node:crypto'
import { Redis, type RedisOptions } from 'ioredis'
import type {
  AuthorizationCodeRecord,
  ConsentRecord,
  LoginSessionRecord,
} from '../../core/authorization/authorization-store.ts'
import type { ClientRecord } from '../../core/clients/client-record.ts'
import { DEFAULT_REVOCATION_TTL_MS, type RevocationEntry } from '../../core/revocations/revocation-store.ts'
import type { NewSession, SessionRecord } from '../../core/sessions/session-record.ts'
import type {
  NewUser,
  RefreshTokenRecord,
  RotateInput,
  RotateResult,
  Store,
  UserPatch,
  UserRecord,
} from '../../core/store.ts'
import { StoreConflictError } from '../../core/store-error.ts'
import { newUserRecord } from '../../core/users/new-user-record.ts'
import { usernameKey } from '../../core/users/username-key.ts'
import { clientFromFlat, flattenClient } from '../client-fields.ts'
import type { FlatValue } from '../flat-fields.ts'
import { isInvalidReason } from '../invalid-reason.ts'
import { claimsFromJson, claimsJson } from '../requested-claims-json.ts'
import { joinScope, splitScope } from '../session-scope.ts'
import { CODE_REPLAY_MEMORY_MS } from '../sql/authorization-rows.ts'
import { translateErrors } from '../translate-errors.ts'
import { flattenUser, userFromFlat } from '../user-fields.ts'
import {
  CREATE_CLIENT,
  CREATE_CODE,
  CREATE_LOGIN_SESSION,
  CREATE_SESSION,
  CREATE_USER,
  DELETE_CLIENT,
  END_LOGIN_SESSION,
  FIND_USER_BY_NAME,
  HIT_COUNTERS,
  PURGE,
  PURGE_REVOCATIONS,
  READ_REVOCATIONS,
  RECORD_REVOCATION,
  REDEEM_CODE,
  REMEMBER_ONCE,
  REVOKE_SESSION,
  REVOKE_USER_SESSIONS,
  ROTATE,
  SETTLE_COUNTERS,
  TOUCH_LOGIN_SESSION,
  UPDATE_RECORD,
} from './redis-scripts.ts'
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
}

/** How long Redis keeps a session, token or counter past its logical expiry. */
const RETENTION_MS = 86_400_000
const COUNTER_RETENTION_MS = 60_000
const PURGE_BATCH = 500

interface Script {
  lua: string
  sha: string
}

const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') })

const SCRIPTS = {
  createUser: script(CREATE_USER),
  findUserByName: script(FIND_USER_BY_NAME),
  updateRecord: script(UPDATE_RECORD),
  createClient: script(CREATE_CLIENT),
  deleteClient: script(DELETE_CLIENT),
  rememberOnce: script(REMEMBER_ONCE),
  createSession: script(CREATE_SESSION),
  rotate: script(ROTATE),
  revokeSession: script(REVOKE_SESSION),
  revokeUserSessions: script(REVOKE_USER_SESSIONS),
  purge: script(PURGE),
  recordRevocation: script(RECORD_REVOCATION),
  readRevocations: script(READ_REVOCATIONS),
  purgeRevocations: script(PURGE_REVOCATIONS),
  hitCounters: script(HIT_COUNTERS),
  settleCounters: script(SETTLE_COUNTERS),
  createCode: script(CREATE_CODE),
  redeemCode: script(REDEEM_CODE),
  createLoginSession: script(CREATE_LOGIN_SESSION),
  touchLoginSession: script(TOUCH_LOGIN_SESSION),
  endLoginSession: script(END_LOGIN_SESSION),
}

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
    user: (id: string) => `${P}user:${id}`,
    username: (name: string) => `${P}username:${name}`,
    users: `${P}users`,
    session: (id: string) => `${P}session:${id}`,
    userSessions: (userId: string) => `${P}user-sessions:${userId}`,
    sessionTokens: (id: string) => `${P}session-tokens:${id}`,
    token: (hash: string) => `${P}token:${hash}`,
    deadlines: `${P}sessions-by-deadline`,
    counter: (key: string) => `${P}counter:${key}`,
    counterResets: `${P}counters-by-reset`,
    client: (id: string) => `${P}client:${id}`,
    clients: `${P}clients`,
    remembered: (key: string) => `${P}remembered:${key}`,
    rememberedByUntil: `${P}remembered-by-until`,
    code: (hash: string) => `${P}auth-code:${hash}`,
    codesByExpiry: `${P}codes-by-expiry`,
    login: (id: string) => `${P}login-session:${id}`,
    loginSecret: (secretHash: string) => `${P}login-secret:${secretHash}`,
    loginLinks: (id: string) => `${P}login-session-sessions:${id}`,
    loginDeadlines: `${P}login-sessions-by-deadline`,
    consents: (userId: string) => `${P}consents:${userId}`,
  }

  /**
   * The keys and arguments of CREATE_SESSION for `session` (REDEEM_CODE takes the same), and the
   * session's hash as the script writes it.
   */
  function sessionWrite(session: NewSession): { keys: string[]; args: string[]; written: SessionRecord } {
    const idle = Math.min(session.idleExpiresAt, session.absoluteExpiresAt)
    const sessionFields = [
      'id',
      session.id,
      'userId',
      session.userId,
      'clientId',
      session.clientId,
      'createdAt',
      String(session.createdAt),
      'lastUsedAt',
      String(session.createdAt),
      'absoluteExpiresAt',
      String(session.absoluteExpiresAt),
      'liveIdleExpiresAt',
      String(idle),
      'scope',
      joinScope(session.scope),
      'publicClient',
      session.publicClient ? '1' : '0',
    ]
    if (session.clientIp !== null) sessionFields.push('clientIp', session.clientIp)
    if (session.userAgent !== null) sessionFields.push('userAgent', session.userAgent)
    // Most sessions asked for no claims: the hash (and every rotation's reply) stays as it was.
    if (session.claims !== undefined && session.claims.length > 0)
      sessionFields.push('claims', joinScope(session.claims))
    const tokenFields = [
      'sessionId',
      session.id,
      'generation',
      '1',
      'createdAt',
      String(session.createdAt),
      'idleExpiresAt',
      String(idle),
    ]
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

  // EVALSHA first; the script is sent in full only when this Redis has not seen it yet.
  async function run(s: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(s.sha, keys.length, ...keys, P, ...args)
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err
      return redis.eval(s.lua, keys.length, ...keys, P, ...args)
    }
  }

  /** The records whose ids a set holds, in code-point order of `key`; ids whose record is gone are skipped. */
  async function membersBy<T>(
    set: string,
    read: (id: string) => Promise<T | null>,
    key: (record: T) => string,
  ): Promise<T[]> {
    const records: (T | null)[] = await Promise.all((await redis.smembers(set)).map((id) => read(id)))
    return records
      .filter((r): r is T => r !== null)
      .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
  }

  async function sessionById(id: string): Promise<SessionRecord | null> {
    const hash = await redis.hgetall(k.session(id))
    return Object.keys(hash).length === 0 ? null : toSession(hash)
  }

  const store: Store = {
    async migrate() {
      // No schema; this checks the server answers and can run scripts (Redis >= 2.6, no Cluster).
      await redis.ping()
    },

    async ping() {
      await redis.ping()
    },

    async close() {
      if (redis.status === 'end') return
      if (redis.status === 'ready') await redis.quit()
      else redis.disconnect()
    },

    async createUser(user: NewUser) {
      const record = newUserRecord(user)
      const outcome = await run(
        SCRIPTS.createUser,
        [k.user(record.id), k.username(record.username), k.users],
        [record.id, ...hashItems(flattenUser(record))],
      )
      if (outcome !== 'ok') throw new StoreConflictError(String(outcome))
      return record
    },

    async findUserByUsername(username) {
      const h = pairs(await run(SCRIPTS.findUserByName, [k.username(usernameKey(username))], []))
      return Object.keys(h).length === 0 ? null : toUser(h)
    },

    async findUserById(id) {
      const hash = await redis.hgetall(k.user(id))
      return Object.keys(hash).length === 0 ? null : toUser(hash)
    },

    async listUsers() {
      return membersBy(k.users, store.findUserById, (u) => u.username)
    },

    async updateUser(id: string, patch: UserPatch) {
      const reply = await run(SCRIPTS.updateRecord, [k.user(id)], patchArgs(flattenUser(patch)))
      return reply === null ? null : toUser(pairs(reply))
    },

    async createSession(session: NewSession) {
      const write = sessionWrite(session)
      const outcome = await run(SCRIPTS.createSession, write.keys, write.args)
      if (outcome !== 'ok') throw new StoreConflictError(String(outcome))
      // The script wrote exactly these fields to a new key: no read back, so one round trip.
      return write.written
    },

    async getSession(id) {
      return sessionById(id)
    },

    async findToken(tokenHash) {
      const hash = await redis.hgetall(k.token(tokenHash))
      if (Object.keys(hash).length === 0) return null
      return toToken(tokenHash, hash)
    },

    async rotate(input: RotateInput): Promise<RotateResult> {
      const reply = await run(
        SCRIPTS.rotate,
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
      const [kind, detail, sessionFlat, rolesJson] = reply as unknown[]
      switch (kind) {
        case 'invalid':
          if (!isInvalidReason(detail)) throw new Error('unexpected invalid reason from the rotate script')
          return { kind: 'invalid', reason: detail }
        case 'conflict':
          throw new StoreConflictError(String(detail))
        case 'rotated':
          return {
            kind: 'rotated',
            session: toSession(pairs(sessionFlat)),
            generation: Number(detail),
            roles: rolesFrom(rolesJson),
          }
        case 'replayed':
          return {
            kind: 'replayed',
            session: toSession(pairs(sessionFlat)),
            sealedSuccessor: String(detail),
            roles: rolesFrom(rolesJson),
          }
        case 'reuse_detected':
          return { kind: 'reuse_detected', session: toSession(pairs(sessionFlat)) }
        default:
          throw new Error('unexpected reply from the rotate script')
      }
    },

    async revokeSession(sessionId, reason, now) {
      const revoked = await run(
        SCRIPTS.revokeSession,
        [k.session(sessionId), k.deadlines],
        [String(now), reason, sessionId, revocationTtl],
      )
      return revoked === 1
    },

    async revokeUserSessions(userId, reason, now) {
      return Number(
        await run(
          SCRIPTS.revokeUserSessions,
          [k.userSessions(userId), k.deadlines],
          [String(now), reason, userId, revocationTtl],
        ),
      )
    },

    async recordRevocation(kind, subject, at) {
      await run(SCRIPTS.recordRevocation, [], [kind, subject, String(Math.trunc(at)), revocationTtl])
    },

    async readRevocations(since, now) {
      const reply = await run(SCRIPTS.readRevocations, [], [String(Math.trunc(since)), String(now)])
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
      let removed = 0
      for (;;) {
        const reply = await run(
          SCRIPTS.purge,
          [k.deadlines, k.counterResets, k.rememberedByUntil, k.codesByExpiry, k.loginDeadlines],
          [String(now), PURGE_BATCH, String(now - CODE_REPLAY_MEMORY_MS)],
        )
        if (!Array.isArray(reply)) throw new Error('unexpected reply from the purge script')
        removed += Number(reply[0])
        // Batches keep each script short, so Redis never stalls other clients for long.
        if (Number(reply[1]) < PURGE_BATCH) break
      }
      for (;;) {
        const dropped = Number(await run(SCRIPTS.purgeRevocations, [], [String(now), PURGE_BATCH]))
        removed += dropped
        if (dropped < PURGE_BATCH) return removed
      }
    },

    async hitCounters(keys, now, windowMs) {
      if (keys.length === 0) return []
      const resetAt = now + windowMs
      const reply = await run(
        SCRIPTS.hitCounters,
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
        SCRIPTS.settleCounters,
        [...reset.map(k.counter), ...release.map(k.counter), k.counterResets],
        [String(reset.length), ...reset],
      )
    },

    async createClient(client) {
      const outcome = await run(
        SCRIPTS.createClient,
        [k.client(client.id), k.clients],
        [client.id, ...hashItems(flattenClient(client))],
      )
      if (outcome !== 'ok') throw new StoreConflictError(String(outcome))
      return (await store.getClient(client.id))!
    },

    async getClient(id) {
      const hash = await redis.hgetall(k.client(id))
      return Object.keys(hash).length === 0 ? null : toClient(hash)
    },

    async listClients() {
      return membersBy(k.clients, store.getClient, (c) => c.id)
    },

    async updateClient(id, patch) {
      const reply = await run(SCRIPTS.updateRecord, [k.client(id)], patchArgs(flattenClient(patch)))
      return reply === null ? null : toClient(pairs(reply))
    },

    async deleteClient(id) {
      return (await run(SCRIPTS.deleteClient, [k.client(id), k.clients], [id])) === 1
    },

    async rememberOnce(key, until, now) {
      const ttl = String(Math.max(1, Math.trunc(until - now)))
      const reply = await run(
        SCRIPTS.rememberOnce,
        [k.remembered(key), k.rememberedByUntil],
        [String(now), String(until), ttl, key],
      )
      return reply === 1
    },

    async createAuthorizationCode(code) {
      const fields = [
        'clientId',
        code.clientId,
        'userId',
        code.userId,
        'redirectUri',
        code.redirectUri,
        'scope',
        joinScope(code.scope),
        'loginSessionId',
        code.loginSessionId,
        'authTime',
        String(code.authTime),
        'createdAt',
        String(code.createdAt),
        'expiresAt',
        String(code.expiresAt),
      ]
      if (code.codeChallenge !== null) fields.push('codeChallenge', code.codeChallenge)
      const claims = claimsJson(code.claims)
      if (claims !== null) fields.push('claims', claims)
      if (code.nonce !== null) fields.push('nonce', code.nonce)
      const outcome = await run(
        SCRIPTS.createCode,
        [k.code(code.hash), k.codesByExpiry],
        [
          code.hash,
          String(code.expiresAt),
          ttl(code.expiresAt - code.createdAt + CODE_REPLAY_MEMORY_MS),
          ...fields,
        ],
      )
      if (outcome !== 'ok') throw new StoreConflictError(String(outcome))
    },

    async findAuthorizationCode(hash) {
      const h = await redis.hgetall(k.code(hash))
      return Object.keys(h).length === 0 ? null : toCode(hash, h)
    },

    async redeemAuthorizationCode(hash, now, session) {
      const write = sessionWrite(session)
      const reply = await run(SCRIPTS.redeemCode, [k.code(hash), ...write.keys], [String(now), ...write.args])
      if (!Array.isArray(reply)) throw new Error('unexpected reply from the redeem script')
      const [kind, detail] = reply as unknown[]
      switch (kind) {
        case 'redeemed':
          return { kind: 'redeemed', session: write.written }
        case 'replayed':
          return { kind: 'replayed', sessionId: String(detail) }
        case 'invalid':
          return { kind: 'invalid' }
        case 'conflict':
          throw new StoreConflictError(String(detail))
        default:
          throw new Error('unexpected reply from the redeem script')
      }
    },

    async createLoginSession(login) {
      const idle = Math.min(login.idleExpiresAt, login.absoluteExpiresAt)
      const fields = [
        'id',
        login.id,
        'secretHash',
        login.secretHash,
        'userId',
        login.userId,
        'authTime',
        String(login.authTime),
        'createdAt',
        String(login.createdAt),
        'lastSeenAt',
        String(login.lastSeenAt),
        'idleExpiresAt',
        String(idle),
        'absoluteExpiresAt',
        String(login.absoluteExpiresAt),
      ]
      if (login.endedAt !== null) fields.push('endedAt', String(login.endedAt))
      const outcome = await run(
        SCRIPTS.createLoginSession,
        [k.login(login.id), k.loginSecret(login.secretHash), k.loginDeadlines],
        [
          login.id,
          login.endedAt === null ? String(idle) : '-inf',
          ttl(login.absoluteExpiresAt - login.createdAt),
          ...fields,
        ],
      )
      if (outcome !== 'ok') throw new StoreConflictError(String(outcome))
    },

    async findLoginSession(secretHash, now) {
      const id = await redis.get(k.loginSecret(secretHash))
      if (id === null) return null
      const login = await store.getLoginSession(id)
      if (login === null || login.secretHash !== secretHash || login.endedAt !== null) return null
      return login.idleExpiresAt > now && login.absoluteExpiresAt > now ? login : null
    },

    async getLoginSession(id) {
      const h = await redis.hgetall(k.login(id))
      return Object.keys(h).length === 0 ? null : toLoginSession(h)
    },

    async touchLoginSession(id, lastSeenAt, idleExpiresAt) {
      await run(
        SCRIPTS.touchLoginSession,
        [k.login(id), k.loginDeadlines],
        [id, String(lastSeenAt), String(idleExpiresAt)],
      )
    },

    async endLoginSession(id, now) {
      const ids = await run(
        SCRIPTS.endLoginSession,
        [k.login(id), k.loginLinks(id), k.loginDeadlines],
        [id, String(now)],
      )
      if (!Array.isArray(ids)) throw new Error('unexpected reply from the end-login-session script')
      return ids.map(String).sort(byCodePoint)
    },

    async getConsent(userId, clientId) {
      const json = await redis.hget(k.consents(userId), clientId)
      return json === null ? null : toConsent(userId, clientId, json)
    },

    async saveConsent(consent) {
      await redis.hset(
        k.consents(consent.userId),
        consent.clientId,
        JSON.stringify({ scope: joinScope(consent.scope), grantedAt: consent.grantedAt }),
      )
    },

    async listConsents(userId) {
      const all = await redis.hgetall(k.consents(userId))
      return Object.keys(all)
        .sort(byCodePoint)
        .map((clientId) => toConsent(userId, clientId, all[clientId]!))
    },

    async revokeConsent(userId, clientId) {
      return (await redis.hdel(k.consents(userId), clientId)) === 1
    },
  }
  return translateErrors(store, redisUnavailable)
}

/** A TTL in whole milliseconds: the remaining lifetime plus retention, never zero or negative. */
function ttl(remainingMs: number): string {
  return String(Math.max(0, Math.trunc(remainingMs)) + RETENTION_MS)
}

/** HSET's field/value items for flattened fields: a null one is left out, absent from the hash. */
function hashItems(flat: readonly [string, FlatValue][]): string[] {
  return flat.flatMap(([f, v]) => (v === null ? [] : [f, String(v)]))
}

/** UPDATE_RECORD's arguments for a flattened patch: the fields it sets, then those it nulls (deleted). */
function patchArgs(flat: readonly [string, FlatValue][]): (string | number)[] {
  const set = hashItems(flat)
  return [set.length, ...set, ...flat.flatMap(([f, v]) => (v === null ? [f] : []))]
}

/** A flat [field, value, ...] reply (HGETALL inside a script) as an object. */
function pairs(flat: unknown): Record<string, string> {
  if (!Array.isArray(flat)) throw new Error('unexpected hash reply from Redis')
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1])
  return out
}

function required(hash: Record<string, string>, field: string): string {
  const value = hash[field]
  if (value === undefined) throw new Error(`stored record has no ${field}`)
  return value
}

/** A user's roles as stored: a JSON array of strings. */
function rolesFrom(json: unknown): string[] {
  const roles: unknown = typeof json === 'string' ? JSON.parse(json) : undefined
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
    throw new Error('stored user roles are not a JSON array of strings')
  }
  return roles
}

function toUser(h: Record<string, string>): UserRecord {
  return userFromFlat((field) => h[field])
}

function toSession(h: Record<string, string>): SessionRecord {
  return {
    id: required(h, 'id'),
    userId: required(h, 'userId'),
    clientId: required(h, 'clientId'),
    createdAt: Number(required(h, 'createdAt')),
    lastUsedAt: Number(required(h, 'lastUsedAt')),
    absoluteExpiresAt: Number(required(h, 'absoluteExpiresAt')),
    revokedAt: h.revokedAt === undefined ? null : Number(h.revokedAt),
    revokedReason: h.revokedReason ?? null,
    clientIp: h.clientIp ?? null,
    userAgent: h.userAgent ?? null,
    // Sessions from before these fields: no scope, and all of public default clients.
    scope: splitScope(h.scope ?? ''),
    publicClient: h.publicClient !== '0',
    // Written only when there are any, as clientIp.
    claims: splitScope(h.claims ?? ''),
  }
}

function toClient(h: Record<string, string>): ClientRecord {
  return clientFromFlat((field) => h[field])
}

function toToken(hash: string, h: Record<string, string>): RefreshTokenRecord {
  return {
    hash,
    sessionId: required(h, 'sessionId'),
    generation: Number(required(h, 'generation')),
    createdAt: Number(required(h, 'createdAt')),
    idleExpiresAt: Number(required(h, 'idleExpiresAt')),
    consumedAt: h.consumedAt === undefined ? null : Number(h.consumedAt),
  }
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function toCode(hash: string, h: Record<string, string>): AuthorizationCodeRecord {
  return {
    hash,
    clientId: required(h, 'clientId'),
    userId: required(h, 'userId'),
    redirectUri: required(h, 'redirectUri'),
    codeChallenge: h.codeChallenge ?? null,
    scope: splitScope(required(h, 'scope')),
    claims: claimsFromJson(h.claims),
    nonce: h.nonce ?? null,
    loginSessionId: required(h, 'loginSessionId'),
    authTime: Number(required(h, 'authTime')),
    createdAt: Number(required(h, 'createdAt')),
    expiresAt: Number(required(h, 'expiresAt')),
  }
}

function toLoginSession(h: Record<string, string>): LoginSessionRecord {
  return {
    id: required(h, 'id'),
    secretHash: required(h, 'secretHash'),
    userId: required(h, 'userId'),
    authTime: Number(required(h, 'authTime')),
    createdAt: Number(required(h, 'createdAt')),
    lastSeenAt: Number(required(h, 'lastSeenAt')),
    idleExpiresAt: Number(required(h, 'idleExpiresAt')),
    absoluteExpiresAt: Number(required(h, 'absoluteExpiresAt')),
    endedAt: h.endedAt === undefined ? null : Number(h.endedAt),
  }
}

function toConsent(userId: string, clientId: string, json: string): ConsentRecord {
  const value: unknown = JSON.parse(json)
  const { scope, grantedAt } = (value ?? {}) as { scope?: unknown; grantedAt?: unknown }
  if (typeof scope !== 'string' || typeof grantedAt !== 'number') {
    throw new Error('stored consent is not {"scope", "grantedAt"} JSON')
  }
  return { userId, clientId, scope: splitScope(scope), grantedAt }
}
