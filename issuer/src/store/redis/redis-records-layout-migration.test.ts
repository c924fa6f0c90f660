// Migration 1 on a database the previous release made: its keys written by hand here exactly as
// its scripts wrote them, then read back through the records port and the atomic steps.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AUTHORIZATION_CODES } from '../../core/authorization/authorization-code-collection.ts'
import { CONSENTS } from '../../core/authorization/consent-collection.ts'
import { LOGIN_SESSIONS } from '../../core/authorization/login-session-collection.ts'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { listAll } from '../../core/records/list-all.ts'
import type { NewSession } from '../../core/sessions/session-record.ts'
import type { Store } from '../../core/store.ts'
import { USERS } from '../../core/users/user-collection.ts'
import { REDIS_URL, redisTestKeys } from '../../testing/redis-test-keys.ts'
import { migrateRedis } from './redis-migrate.ts'
import { createRedisRecords } from './redis-records.ts'
import { RECORDS_LAYOUT } from './redis-records-layout-migration.ts'
import { scriptRunner } from './redis-script.ts'
import { createRedisStore } from './redis-store.ts'

const redis = redisTestKeys()
const T = 1_700_000_000_000
const MIN = 60_000
const DAY = 86_400_000

/** The previous release's keys under P, as its scripts wrote them. */
async function writePreviousRelease(admin: Redis, P: string): Promise<void> {
  const m = admin.multi()
  // createUser: the flattened user (a null left out), its name's index and the set of ids.
  m.hset(`${P}user:u1`, {
    id: 'u1',
    username: 'alice',
    passwordHash: 'scrypt$alice',
    roles: '["admin"]',
    disabled: '0',
    email: 'alice@example.com',
    emailVerified: '1',
    name: 'Alice Liddell',
    givenName: 'Alice',
    familyName: 'Liddell',
    createdAt: T,
    updatedAt: T + 1,
  })
  // Stored before the profile fields (issue 19).
  m.hset(`${P}user:u2`, { id: 'u2', username: 'bob', passwordHash: 'scrypt$bob', roles: '[]', disabled: '0' })
  m.hset(`${P}user:u2`, { createdAt: T, updatedAt: T })
  m.hset(`${P}user:u3`, {
    id: 'u3',
    username: 'carol',
    passwordHash: 'scrypt$carol',
    roles: '["staff"]',
    disabled: '1',
    emailVerified: '0',
    createdAt: T,
    updatedAt: T + 2,
  })
  for (const [id, name] of [
    ['u1', 'alice'],
    ['u2', 'bob'],
    ['u3', 'carol'],
  ] as const) {
    m.set(`${P}username:${name}`, id)
    m.sadd(`${P}users`, id)
  }
  // createClient: the flattened client and the set of ids; 'svc' from before PKCE policies,
  // redirect URIs and web origins.
  m.hset(`${P}client:web`, {
    id: 'web',
    name: 'Web app',
    type: 'public',
    grants: '["authorization_code","refresh_token"]',
    scopes: '["openid","profile"]',
    audiences: '[]',
    firstParty: '1',
    redirectUris: '["https://app.example/cb"]',
    postLogoutRedirectUris: '["https://app.example/"]',
    pkce: 'required',
    webOrigins: '["https://app.example"]',
    disabled: '0',
    createdAt: T,
    updatedAt: T,
  })
  m.hset(`${P}client:svc`, {
    id: 'svc',
    name: 'Service',
    type: 'confidential',
    grants: '["client_credentials"]',
    scopes: '["api"]',
    audiences: '["https://api.example"]',
    firstParty: '0',
    accessTokenTtlSec: '300',
    secretHash: 'sha-svc',
    jwks: '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"abc"}]}',
    disabled: '0',
    createdAt: T,
    updatedAt: T,
  })
  m.sadd(`${P}clients`, 'web', 'svc')
  // CREATE_CODE: no hash field, optional fields left out, a TTL and the expiry zset.
  m.hset(`${P}auth-code:c1`, {
    clientId: 'web',
    userId: 'u1',
    redirectUri: 'https://app.example/cb',
    scope: 'openid profile',
    loginSessionId: 'l1',
    authTime: T,
    createdAt: T,
    expiresAt: T + 10 * MIN,
    codeChallenge: 'challenge',
    claims: '{"idToken":["email"],"userinfo":["name"]}',
    nonce: 'n-1',
  })
  m.hset(`${P}auth-code:c2`, {
    clientId: 'web',
    userId: 'u1',
    redirectUri: 'https://app.example/cb',
    scope: 'openid',
    loginSessionId: 'l1',
    authTime: T,
    createdAt: T,
    expiresAt: T + 10 * MIN,
  })
  for (const code of ['c1', 'c2']) {
    m.pexpire(`${P}auth-code:${code}`, 10 * MIN + 2 * DAY)
    m.zadd(`${P}codes-by-expiry`, T + 10 * MIN, code)
  }
  // CREATE_LOGIN_SESSION and END_LOGIN_SESSION: l2 ended, so dead to purge (-inf).
  const login = {
    userId: 'u1',
    authTime: T,
    createdAt: T,
    lastSeenAt: T,
    absoluteExpiresAt: T + 8 * 60 * MIN,
  }
  m.hset(`${P}login-session:l1`, { id: 'l1', secretHash: 'cookie-1', ...login, idleExpiresAt: T + 30 * MIN })
  m.hset(`${P}login-session:l2`, {
    id: 'l2',
    secretHash: 'cookie-2',
    ...login,
    idleExpiresAt: T + 30 * MIN,
    endedAt: T + 5 * MIN,
  })
  for (const id of ['l1', 'l2']) {
    m.pexpire(`${P}login-session:${id}`, 8 * 60 * MIN + DAY)
    m.set(`${P}login-secret:cookie-${id.slice(1)}`, id, 'PX', 8 * 60 * MIN + DAY)
  }
  m.zadd(`${P}login-sessions-by-deadline`, T + 30 * MIN, 'l1', '-inf', 'l2')
  // saveConsent: one hash per user, client id -> JSON.
  m.hset(`${P}consents:u1`, {
    web: JSON.stringify({ scope: 'openid profile', grantedAt: T }),
    svc: JSON.stringify({ scope: 'api', grantedAt: T + 1 }),
  })
  await m.exec()
}

const session = (id: string, userId: string, tokenHash: string, at = T): NewSession => ({
  id,
  userId,
  clientId: 'web',
  createdAt: at,
  absoluteExpiresAt: at + 60 * MIN,
  clientIp: null,
  userAgent: null,
  scope: ['openid'],
  publicClient: true,
  tokenHash,
  idleExpiresAt: at + 30 * MIN,
})

/** What the previous release's data reads as once migrated, through the records and the steps. */
async function expectMigrated(store: Store, admin: Redis, P: string): Promise<void> {
  const { records } = store
  expect(await admin.get(`${P}schema-version`)).toBe('1')
  const noProfile = { email: null, emailVerified: false, name: null, givenName: null, familyName: null }
  expect(await records.get(USERS, { id: 'u1' })).toEqual({
    id: 'u1',
    username: 'alice',
    passwordHash: 'scrypt$alice',
    roles: ['admin'],
    disabled: false,
    // Fields declared after the previous release read as their type's empty value.
    mfaEnrolled: false,
    email: 'alice@example.com',
    emailVerified: true,
    name: 'Alice Liddell',
    givenName: 'Alice',
    familyName: 'Liddell',
    createdAt: T,
    updatedAt: T + 1,
  })
  expect(await records.findBy(USERS, 'username', 'bob')).toEqual({
    id: 'u2',
    username: 'bob',
    passwordHash: 'scrypt$bob',
    roles: [],
    disabled: false,
    mfaEnrolled: false,
    ...noProfile,
    createdAt: T,
    updatedAt: T,
  })
  expect(await records.findBy(USERS, 'username', 'carol')).toMatchObject({ id: 'u3', disabled: true })
  expect((await listAll(records, USERS)).map((u) => u.username)).toEqual(['alice', 'bob', 'carol'])

  expect(await records.get(CLIENTS, { id: 'web' })).toMatchObject({
    pkce: 'required',
    redirectUris: ['https://app.example/cb'],
    webOrigins: ['https://app.example'],
    firstParty: true,
  })
  expect(await records.get(CLIENTS, { id: 'svc' })).toEqual({
    id: 'svc',
    name: 'Service',
    type: 'confidential',
    grants: ['client_credentials'],
    scopes: ['api'],
    audiences: ['https://api.example'],
    firstParty: false,
    accessTokenTtlSec: 300,
    secretHash: 'sha-svc',
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc' }] },
    jwksUri: null,
    redirectUris: [],
    postLogoutRedirectUris: [],
    pkce: 'openid-optional',
    webOrigins: [],
    requireMfa: false,
    disabled: false,
    createdAt: T,
    updatedAt: T,
  })
  expect((await listAll(records, CLIENTS)).map((c) => c.id)).toEqual(['svc', 'web'])

  const code = {
    clientId: 'web',
    userId: 'u1',
    redirectUri: 'https://app.example/cb',
    loginSessionId: 'l1',
    authTime: T,
    // Written before login steps recorded their amr: none (read as a password, acr-values.ts).
    amr: [],
    // Written before requests asked for acr classes: none.
    acrValues: [],
    createdAt: T,
    expiresAt: T + 10 * MIN,
    consumedAt: null,
    sessionId: null,
  }
  expect(await records.get(AUTHORIZATION_CODES, { hash: 'c1' })).toEqual({
    ...code,
    hash: 'c1',
    codeChallenge: 'challenge',
    scope: ['openid', 'profile'],
    claims: { idToken: ['email'], userinfo: ['name'] },
    nonce: 'n-1',
  })
  expect(await records.get(AUTHORIZATION_CODES, { hash: 'c2' })).toEqual({
    ...code,
    hash: 'c2',
    codeChallenge: null,
    scope: ['openid'],
    claims: null,
    nonce: null,
  })

  expect(await records.findBy(LOGIN_SESSIONS, 'secretHash', 'cookie-1')).toMatchObject({
    id: 'l1',
    idleExpiresAt: T + 30 * MIN,
    endedAt: null,
  })
  // Ended before: it now expires at its end, as endLoginSession makes it.
  expect(await records.findBy(LOGIN_SESSIONS, 'secretHash', 'cookie-2')).toMatchObject({
    id: 'l2',
    idleExpiresAt: T + 5 * MIN,
    endedAt: T + 5 * MIN,
  })

  expect(await listAll(records, CONSENTS, { where: { field: 'userId', value: 'u1' } })).toEqual([
    { userId: 'u1', clientId: 'svc', scope: ['api'], grantedAt: T + 1 },
    { userId: 'u1', clientId: 'web', scope: ['openid', 'profile'], grantedAt: T },
  ])
  for (const gone of [
    'users',
    'username:alice',
    'clients',
    'codes-by-expiry',
    'login-secret:cookie-1',
    'login-sessions-by-deadline',
    'consents:u1',
  ]) {
    expect(await admin.exists(`${P}${gone}`), gone).toBe(0)
  }

  // The steps over the migrated records: a session of the user still rotates (the user's hash is
  // where ROTATE reads it), a disabled user's does not, and a code redeems once.
  const rotate = (tokenHash: string, hash: string) =>
    store.rotate({
      tokenHash,
      now: T + MIN,
      clientId: null,
      graceMs: 0,
      successor: { hash, idleExpiresAt: T + 31 * MIN, sealed: 'sealed' },
    })
  expect(await rotate('t1', 't1-next')).toMatchObject({ kind: 'rotated', roles: ['admin'] })
  expect(await rotate('t3', 't3-next')).toEqual({ kind: 'invalid', reason: 'user_disabled' })
  const redeem = (hash: string, id: string) =>
    store.redeemOnce(AUTHORIZATION_CODES, { hash }, T + MIN, session(id, 'u1', `${id}-token`, T + MIN))
  expect(await redeem('c1', 's-c1')).toMatchObject({ kind: 'redeemed', session: { id: 's-c1' } })
  expect(await redeem('c1', 's-again')).toEqual({ kind: 'replayed', sessionId: 's-c1' })
  expect(await redeem('c2', 's-c2')).toMatchObject({ kind: 'redeemed' })
  expect(await store.endLoginSession('l1', T + 2 * MIN)).toEqual(['s-c1', 's-c2'])
}

describe('redis migration 1: the records layout', () => {
  let P: string
  let stores: Store[]
  const open = () => {
    const store = createRedisStore({ url: REDIS_URL, prefix: P })
    stores.push(store)
    return store
  }

  beforeEach(async () => {
    await redis.reachable()
    P = redis.freshPrefix()
    stores = []
    await writePreviousRelease(redis.admin, P)
    // Sessions keep their layout: written now as that release wrote them.
    const writer = open()
    await writer.createSession(session('s1', 'u1', 't1'))
    await writer.createSession(session('s3', 'u3', 't3'))
  })
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()))
    await redis.dropPrefix(P)
  })

  it('moves a database of the previous release, with instances starting together', async () => {
    const [first, second, third] = [open(), open(), open()]
    await Promise.all([first.migrate(), second.migrate(), third.migrate()])
    await expectMigrated(first, redis.admin, P)
  })

  it('converges when run again after a crash halfway', async () => {
    const records = createRedisRecords(redis.admin, scriptRunner(redis.admin, P), P, DAY)
    let writes = 0
    const crashing = {
      ...RECORDS_LAYOUT,
      apply: (ctx: Parameters<typeof RECORDS_LAYOUT.apply>[0]) =>
        RECORDS_LAYOUT.apply({
          ...ctx,
          records: {
            ...ctx.records,
            write: (...args) =>
              ++writes > 4 ? Promise.reject(new Error('crash')) : ctx.records.write(...args),
          },
        }),
    }
    await expect(migrateRedis(redis.admin, P, records, [crashing])).rejects.toThrow('crash')
    expect(await redis.admin.exists(`${P}schema-version`, `${P}schema-lock`)).toBe(0)
    const store = open()
    await store.migrate()
    await expectMigrated(store, redis.admin, P)
  })

  it('applies each migration once, whichever instance takes the lock', async () => {
    const records = createRedisRecords(redis.admin, scriptRunner(redis.admin, P), P, DAY)
    let applied = 0
    const counted = {
      version: 1,
      name: 'counted',
      apply: async () => {
        applied++
        await sleep(50)
      },
    }
    await Promise.all([1, 2, 3].map(() => migrateRedis(redis.admin, P, records, [counted])))
    expect(applied).toBe(1)
    expect(await redis.admin.get(`${P}schema-version`)).toBe('1')
  })

  it('purges an ended login session with its links, and keeps the live one', async () => {
    const store = open()
    await store.migrate()
    const c1 = await store.records.get(AUTHORIZATION_CODES, { hash: 'c1' })
    await store.records.insert(AUTHORIZATION_CODES, { ...c1!, hash: 'c3', loginSessionId: 'l2' })
    await store.redeemOnce(
      AUTHORIZATION_CODES,
      { hash: 'c3' },
      T + MIN,
      session('s-c3', 'u1', 't-c3', T + MIN),
    )
    expect(await redis.admin.smembers(`${P}login-session-sessions:l2`)).toEqual(['s-c3'])
    await store.purgeExpired(T + 10 * MIN)
    expect(await redis.admin.exists(`${P}login-session-sessions:l2`)).toBe(0)
    expect(await store.records.get(LOGIN_SESSIONS, { id: 'l2' })).toBeNull()
    expect(await store.records.findBy(LOGIN_SESSIONS, 'secretHash', 'cookie-2')).toBeNull()
    expect(await store.records.get(LOGIN_SESSIONS, { id: 'l1' })).toMatchObject({ id: 'l1' })
    // Codes are kept a day past their expiry, to answer a replay.
    expect(await store.records.get(AUTHORIZATION_CODES, { hash: 'c1' })).toMatchObject({ hash: 'c1' })
  })
})
