// A real issuer served over HTTP for the browser tests: a temporary keys directory and SQLite file,
// cheap scrypt, silent logs, and users added with a password. `host` is what ISSUER_URL names:
// `localhost` where WebAuthn runs (a secure context needs a domain), `127.0.0.1` elsewhere.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import type { Clock } from '../core/clock.ts'
import { createPasswordHasher } from '../core/passwords/password-hasher.ts'
import { createUser } from '../core/users/create-user.ts'
import { loadConfig } from '../runtime/config.ts'
import { createLogger } from '../runtime/logger.ts'
import { type Issuer, startIssuer } from '../runtime/start-issuer.ts'
import { freePort } from './free-port.ts'

export interface ServedIssuer {
  issuer: Issuer
  issuerUrl: string
  /** A new user with this password (role `user`); answers its id. */
  addUser(username: string, password: string): Promise<string>
  close(): Promise<void>
}

export async function serveTestIssuer(opts: {
  host: 'localhost' | '127.0.0.1'
  clock?: Clock
}): Promise<ServedIssuer> {
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-served-'))
  const port = await freePort()
  const issuerUrl = `http://${opts.host}:${port}`
  const config = loadConfig({
    ISSUER_URL: issuerUrl,
    KEYS_DIR: join(dir, 'keys'),
    DATABASE_URL: `sqlite:${join(dir, 'issuer.db')}`,
    SCRYPT_LOG_N: '10',
    LOG_LEVEL: 'silent',
  })
  const issuer = await startIssuer(config, {
    logger: createLogger({ level: 'silent' }),
    ...(opts.clock === undefined ? {} : { clock: opts.clock }),
  })
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: issuer.app.fetch, hostname: '127.0.0.1', port }, () => resolve(s))
  })
  const hasher = createPasswordHasher({ cost: { logN: 10, r: 8, p: 1 } })
  return {
    issuer,
    issuerUrl,
    async addUser(username, password) {
      const id = randomUUID()
      await createUser(issuer.store.records, {
        id,
        username,
        passwordHash: await hasher.hash(password),
        roles: ['user'],
        createdAt: Date.now(),
      })
      return id
    },
    async close() {
      await new Promise((r) => server.close(r))
      await issuer.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
