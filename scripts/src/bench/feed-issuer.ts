// The issuer the feed benches run against: a SQLite file seeded with live sessions and logouts
// (through the store port, as the service writes them), a user to log in, and the issuer process
// on 127.0.0.1 with ISSUER_URL its own address, so verifiers discover and follow its feed.
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore } from '@tokensmith/issuer/admin'
import { freePort, type SpawnedIssuer, seedIssuerData, spawnIssuer } from '@tokensmith/issuer/testing'
import { requestJson } from './request-json.ts'

export interface FeedIssuer {
  issuer: SpawnedIssuer
  /** An access token of the seeded user (audience `api`), not revoked. */
  token: string
  seedSec: number
  stop(): Promise<void>
}

const USER = 'bench-feed'
const PASSWORD = 'bench-feed-pass-1'

export async function startFeedIssuer(opts: { sessions: number; logouts: number }): Promise<FeedIssuer> {
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-bench-feed-'))
  const databaseUrl = `sqlite:${join(dir, 'issuer.db')}`
  await seedIssuerData({
    keysDir: join(dir, 'keys'),
    databaseUrl,
    users: [{ username: USER, password: PASSWORD }],
  })
  const started = performance.now()
  const store = await openStore(databaseUrl)
  try {
    const userId = randomUUID()
    await store.createUser({
      id: userId,
      username: 'bench-sessions',
      passwordHash: 'scrypt$none',
      roles: [],
      createdAt: Date.now(),
    })
    const now = Date.now()
    const ids: string[] = []
    for (let i = 0; i < opts.sessions; i++) {
      const id = randomUUID()
      if (i < opts.logouts) ids.push(id)
      await store.createSession({
        id,
        userId,
        clientId: 'default',
        createdAt: now,
        absoluteExpiresAt: now + 30 * 86_400_000,
        clientIp: null,
        userAgent: null,
        scope: [],
        publicClient: true,
        tokenHash: randomBytes(32).toString('hex'),
        idleExpiresAt: now + 7 * 86_400_000,
      })
    }
    for (const id of ids) await store.revokeSession(id, 'logout', Date.now())
  } finally {
    await store.close()
  }
  const seedSec = (performance.now() - started) / 1000
  const port = await freePort()
  const issuer = await spawnIssuer(
    { KEYS_DIR: join(dir, 'keys'), DATABASE_URL: databaseUrl, SCRYPT_LOG_N: '10' },
    { port, keepOutput: false },
  )
  const login = await requestJson(`${issuer.url}/auth/login`, {
    body: { username: USER, password: PASSWORD },
  })
  if (login.status !== 200) throw new Error(`bench login failed: ${login.status}`)
  return {
    issuer,
    token: String(login.body.accessToken),
    seedSec,
    async stop() {
      await issuer.stop(5000)
      await rm(dir, { recursive: true, force: true })
    },
  }
}
