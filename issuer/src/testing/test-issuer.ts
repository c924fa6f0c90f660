// Builds a real issuer for tests: a temporary keys directory and SQLite file (or the store it is
// given), a controllable clock, cheap scrypt, and captured log lines (so tests can prove no
// secret was logged).
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPasswordHasher } from '../core/passwords/password-hasher.ts'
import type { Store } from '../core/store.ts'
import { createUser } from '../core/users/create-user.ts'
import type { UserProfile } from '../core/users/user-collection.ts'
import { loadConfig } from '../runtime/config.ts'
import { createLogger } from '../runtime/logger.ts'
import { type Issuer, startIssuer } from '../runtime/start-issuer.ts'
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts'

export interface TestIssuer extends Issuer {
  dir: string
  logs: string[]
  now: { ms: number }
  advance(ms: number): void
  addUser(
    username: string,
    password: string,
    roles?: string[],
    profile?: Partial<UserProfile>,
  ): Promise<string>
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>
  cleanup(): Promise<void>
}

export const TEST_ISSUER_URL = 'http://issuer.test'

export async function createTestIssuer(
  env: Record<string, string> = {},
  opts: { store?: Store } = {},
): Promise<TestIssuer> {
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-issuer-'))
  const now = { ms: Date.parse('2026-06-01T10:00:00.000Z') }
  const clock = () => now.ms
  const logs: string[] = []
  const config = loadConfig({
    ISSUER_URL: TEST_ISSUER_URL,
    KEYS_DIR: join(dir, 'keys'),
    DATABASE_URL: `sqlite:${join(dir, 'issuer.db')}`,
    SCRYPT_LOG_N: '10',
    TRUST_PROXY: 'true',
    LOG_LEVEL: 'debug',
    ...env,
  })
  const logger = createLogger({ level: 'debug', write: (l) => logs.push(l), clock })
  const store = opts.store ?? createSqliteStore({ path: join(dir, 'issuer.db') })
  const issuer = await startIssuer(config, { clock, logger, store })
  const hasher = createPasswordHasher({ cost: { logN: 10, r: 8, p: 1 } })
  return {
    ...issuer,
    dir,
    logs,
    now,
    advance(ms) {
      now.ms += ms
    },
    async addUser(username, password, roles = ['user'], profile = {}) {
      const id = randomUUID()
      await createUser(store.records, {
        id,
        username,
        passwordHash: await hasher.hash(password),
        roles,
        createdAt: now.ms,
        ...profile,
      })
      return id
    },
    request(path, init = {}) {
      const { json, ...rest } = init
      const headers = new Headers(rest.headers)
      if (json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json')
      return Promise.resolve(
        issuer.app.request(path, {
          ...rest,
          headers,
          body: json === undefined ? rest.body : JSON.stringify(json),
        }),
      )
    },
    async cleanup() {
      await issuer.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
