// The issuer the feed benches run against: a SQLite file seeded with live sessions (in bulk) and
// logouts (through the store port, as the service writes them), a user to log in, and the issuer process
// on 127.0.0.1 with ISSUER_URL its own address, so verifiers discover and follow its feed.
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { createUser, openStore } from '@tokensmith/issuer/admin'
import {
  freePort,
  requestJson,
  type SpawnedIssuer,
  seedIssuerData,
  spawnIssuer,
} from '@tokensmith/issuer/testing'

import { seedLiveSessions } from './seed-live-sessions.ts'

export interface FeedIssuer {
  issuer: SpawnedIssuer
  /** An access token of the seeded user (audience `api`), not revoked. */
  token: string
  /** Writing the live sessions in bulk (seed-live-sessions.ts). */
  liveSeedSec: number
  /** Ending `logouts` of them through the store port, as a logout does. */
  logoutSeedSec: number
  stop(): Promise<void>
}

const USER = 'bench-feed'
const PASSWORD = 'bench-feed-pass-1'

export async function startFeedIssuer(opts: { sessions: number; logouts: number }): Promise<FeedIssuer> {
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-bench-feed-'))
  const dbFile = join(dir, 'issuer.db')
  const databaseUrl = `sqlite:${dbFile}`
  await seedIssuerData({
    keysDir: join(dir, 'keys'),
    databaseUrl,
    users: [{ username: USER, password: PASSWORD }],
  })
  const started = performance.now()
  const userId = randomUUID()
  const setup = await openStore(databaseUrl)
  try {
    await createUser(setup.records, {
      id: userId,
      username: 'bench-sessions',
      passwordHash: 'scrypt$none',
      roles: [],
      createdAt: Date.now(),
    })
  } finally {
    await setup.close()
  }
  const ids = seedLiveSessions({
    file: dbFile,
    userId,
    count: opts.sessions,
    take: opts.logouts,
    now: Date.now(),
  })
  const liveSeedSec = (performance.now() - started) / 1000
  const store = await openStore(databaseUrl)
  try {
    for (const id of ids) await store.revokeSession(id, 'logout', Date.now())
  } finally {
    await store.close()
  }
  const logoutSeedSec = (performance.now() - started) / 1000 - liveSeedSec
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
    liveSeedSec,
    logoutSeedSec,
    async stop() {
      await issuer.stop(5000)
      await rm(dir, { recursive: true, force: true })
    },
  }
}
