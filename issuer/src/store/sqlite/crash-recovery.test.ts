import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { seedIssuerData } from '../../testing/seed-issuer-data.ts'
import { type SpawnedIssuer, spawnIssuer } from '../../testing/spawn-issuer.ts'

// kill -9 in the middle of a refresh load: after a restart the database is intact and every
// refresh token a client was handed in a 200 is still usable (live, or consumed by a request
// whose answer was lost, which the grace window hands back).
let dir: string
let env: Record<string, string>
let running: SpawnedIssuer | undefined
const CLIENTS = 16

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-crash-'))
  env = {
    KEYS_DIR: join(dir, 'keys'),
    DATABASE_URL: `sqlite:${join(dir, 'issuer.db')}`,
    SCRYPT_LOG_N: '10',
    REFRESH_GRACE: '30s',
    ISSUER_URL: 'http://issuer.test',
  }
  await seedIssuerData({
    keysDir: env.KEYS_DIR as string,
    databaseUrl: `sqlite:${join(dir, 'issuer.db')}`,
    users: [{ username: 'loader', password: 'pw-loader-123' }],
  })
})
afterEach(async () => {
  await running?.stop()
  running = undefined
  await rm(dir, { recursive: true, force: true })
})

async function post(url: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, string> }
}

describe('issuer killed with SIGKILL under refresh load', () => {
  it('keeps the database intact and every handed-out refresh token usable', async () => {
    running = await spawnIssuer(env)
    const issuer = running
    const latest: string[] = []
    for (let i = 0; i < CLIENTS; i++) {
      const r = await post(`${issuer.url}/auth/login`, { username: 'loader', password: 'pw-loader-123' })
      expect(r.status).toBe(200)
      latest.push(r.body.refreshToken as string)
    }
    let served = 0
    let stop = false
    const chain = async (i: number) => {
      while (!stop) {
        try {
          const r = await post(`${issuer.url}/auth/refresh`, { refreshToken: latest[i] })
          if (r.status !== 200) throw new Error(`refresh answered ${r.status} ${r.body.code}`)
          latest[i] = r.body.refreshToken as string
          served++
        } catch (err) {
          if (stop) return
          // The connection dies with the process: that is the point of the test.
          if ((err as Error).message.startsWith('refresh answered')) throw err
          return
        }
      }
    }
    const load = Array.from({ length: CLIENTS }, (_, i) => chain(i))
    while (served < 300) await new Promise((r) => setTimeout(r, 20))
    await issuer.crash()
    await Promise.all(load)
    stop = true
    expect(served).toBeGreaterThanOrEqual(300)

    const db = new Database(join(dir, 'issuer.db'))
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    const doubleLive = db
      .prepare(
        'SELECT session_id FROM refresh_tokens WHERE consumed_at IS NULL GROUP BY session_id HAVING COUNT(*) > 1',
      )
      .all()
    expect(doubleLive).toEqual([])
    db.close()

    running = await spawnIssuer(env)
    const after = await Promise.all(
      latest.map((t) => post(`${running!.url}/auth/refresh`, { refreshToken: t })),
    )
    expect(after.map((r) => r.status)).toEqual(latest.map(() => 200))
  })
})
