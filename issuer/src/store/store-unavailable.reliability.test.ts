// The disk fills up or the database turns read-only under a running issuer. Every endpoint that
// must write answers a clear 503 `unavailable` with Retry-After; the process does not crash,
// nothing half-done is left behind, and service resumes by itself when the disk has room again.
import { execFileSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Store } from '../core/store.ts'
import { loadConfig } from '../runtime/config.ts'
import { createLogger } from '../runtime/logger.ts'
import { type Issuer, startIssuer } from '../runtime/start-issuer.ts'
import {
  type DataDir,
  inspectDatabase,
  LOAD_PASSWORD,
  LOAD_USER,
  postJson,
  prepareDataDir,
} from '../testing/reliability-fixture.ts'
import { type SpawnedIssuer, spawnIssuer } from '../testing/spawn-issuer.ts'
import { createSqliteStore } from './sqlite/sqlite-store.ts'
import { sqliteUnavailable } from './sqlite/sqlite-unavailable.ts'

const dirs: DataDir[] = []
let spawned: SpawnedIssuer | undefined
let inProcess: Issuer | undefined

afterAll(async () => {
  await spawned?.stop()
  await inProcess?.close()
  await Promise.all(dirs.map((d) => rm(d.dir, { recursive: true, force: true })))
})

/**
 * A full disk, made real for one process: RLIMIT_FSIZE caps how far it may write into any regular
 * file, so the kernel refuses SQLite's writes (EFBIG, which SQLite reports as an I/O error) while
 * reads go on. Unlike chmod it binds root too, and unlike a small tmpfs it needs no mount
 * privilege, so it behaves the same on a developer machine, as root in a container, and in CI.
 * Only the soft limit moves, so it can be lifted again.
 */
function capFileSize(pid: number, bytes: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${bytes}:`])
}

async function expectUnavailable(
  answer: Promise<{ status: number; body: Record<string, unknown>; headers: Headers }>,
) {
  const r = await answer
  expect({ status: r.status, code: r.body.code }).toEqual({ status: 503, code: 'unavailable' })
  expect(Object.keys(r.body).sort()).toEqual(['code', 'error'])
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0)
}

describe('disk full under a running issuer process (RLIMIT_FSIZE)', () => {
  it('answers 503 unavailable for every write, keeps serving reads, and recovers when room returns', async () => {
    const data = await prepareDataDir({ REFRESH_GRACE: '0' })
    dirs.push(data)
    spawned = await spawnIssuer(data.env)
    const url = spawned.url
    const pid = spawned.proc.pid as number
    const creds = { username: LOAD_USER, password: LOAD_PASSWORD }
    const before = await postJson(`${url}/auth/login`, creds)
    expect(before.status).toBe(200)
    const token = before.body.refreshToken as string

    capFileSize(pid, 1)
    try {
      await expectUnavailable(postJson(`${url}/auth/login`, creds)) // new session
      await expectUnavailable(postJson(`${url}/auth/login`, { ...creds, password: 'wrong-one' })) // counter
      await expectUnavailable(postJson(`${url}/auth/refresh`, { refreshToken: token })) // rotation
      await expectUnavailable(postJson(`${url}/auth/logout`, { refreshToken: token })) // revocation
      // What needs no write keeps working: keys for verifiers, liveness.
      expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(200)
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
      expect(spawned.proc.exitCode).toBeNull()
    } finally {
      capFileSize(pid, 'unlimited')
    }

    // The failed rotation left nothing half-done: the same token rotates now, with the grace
    // window off, so a consumed-but-unanswered token would have been reported as reuse.
    const after = await postJson(`${url}/auth/refresh`, { refreshToken: token })
    expect(after.status).toBe(200)
    expect((await postJson(`${url}/auth/login`, creds)).status).toBe(200)
    const log = spawned.output.join('')
    expect(log).toContain('"store_unavailable"')
    expect(log).not.toContain('"unhandled_error"')
    expect(await spawned.stop()).toBe(0)
    spawned = undefined
    const db = inspectDatabase(data.dbPath)
    expect(db).toMatchObject({ integrity: 'ok', doubleLive: [], forkedGenerations: 0, revokedSessions: 0 })
    const codes = [
      ...new Set([...log.matchAll(/"store_unavailable"[^\n]*?"code":"([A-Za-z0-9_]+)"/g)].map((m) => m[1])),
    ]
    console.log(
      `disk full: 4 writes answered 503 while capped (logged codes ${codes.join(', ')}), reads served, ` +
        `recovered; ${db.sessions} sessions checked, integrity ${db.integrity}`,
    )
  })
})

// A read-only or locked database cannot be produced for a running process without privileges
// this suite may lack (chmod does not bind root; chattr +i makes SQLite's shared-memory mapping
// raise SIGBUS; a read-only remount needs mount rights). So this case fakes the driver at the
// store edge: a real SQLite store whose write methods throw what its adapter makes of the errors
// better-sqlite3 raises (sqlite-unavailable.ts turns them into StoreError('unavailable')).
const WRITES = [
  'createSession',
  'rotate',
  'revokeSession',
  'revokeUserSessions',
  'hitCounters',
  'settleCounters',
  'updateUser',
] as const

function failingWrites(store: Store, fault: { code: string | null }): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown
      if (typeof value !== 'function') return value
      const method = value as (...args: unknown[]) => unknown
      if (!(WRITES as readonly (string | symbol)[]).includes(prop)) return method.bind(target)
      return (...args: unknown[]) => {
        if (fault.code === null) return method.apply(target, args)
        const messages: Record<string, string> = {
          SQLITE_READONLY: 'attempt to write a readonly database',
          SQLITE_FULL: 'database or disk is full',
          SQLITE_BUSY: 'database is locked',
        }
        return Promise.reject(
          sqliteUnavailable(
            Object.assign(new Error(messages[fault.code] ?? 'disk I/O error'), {
              name: 'SqliteError',
              code: fault.code,
            }),
          ),
        )
      }
    },
  })
}

describe('read-only, full or locked database (driver errors injected at the store edge)', () => {
  it.each(['SQLITE_READONLY', 'SQLITE_FULL', 'SQLITE_BUSY'])(
    '%s answers 503 unavailable, never 500',
    async (code) => {
      const data = await prepareDataDir()
      dirs.push(data)
      const fault: { code: string | null } = { code: null }
      const logs: string[] = []
      const store = failingWrites(createSqliteStore({ path: data.dbPath }), fault)
      const config = loadConfig({ ...data.env, KEYS_DIR: join(data.dir, 'keys'), LOG_LEVEL: 'debug' })
      inProcess = await startIssuer(config, {
        store,
        logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }),
      })
      const app = inProcess.app
      const call = async (path: string, body: unknown) => {
        const res = await app.request(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
        return {
          status: res.status,
          body: (await res.json()) as Record<string, unknown>,
          headers: res.headers,
        }
      }
      const creds = { username: LOAD_USER, password: LOAD_PASSWORD }
      const first = await call('/auth/login', creds)
      expect(first.status).toBe(200)
      const token = first.body.refreshToken as string

      fault.code = code
      await expectUnavailable(call('/auth/login', creds))
      await expectUnavailable(call('/auth/login', { ...creds, password: 'wrong-one' }))
      await expectUnavailable(call('/auth/refresh', { refreshToken: token }))
      await expectUnavailable(call('/auth/logout', { refreshToken: token }))
      expect((await app.request('/.well-known/jwks.json')).status).toBe(200)
      // The driver's code travels in the StoreError (message and cause), for the handler to log.
      expect(logs.some((l) => l.includes('"store_unavailable"'))).toBe(true)
      expect(logs.some((l) => l.includes('"unhandled_error"'))).toBe(false)

      fault.code = null
      expect((await call('/auth/refresh', { refreshToken: token })).status).toBe(200)
      await inProcess.close()
      inProcess = undefined
    },
  )
})
