// A long day of mixed traffic compressed into a bounded run against a real issuer process:
// logins, refreshes, Bearer calls, local verification from the JWKS, logouts, and a share of
// bad requests, with the background purge running. At the end every live session still
// refreshes, the file is intact, and the process's memory and descriptors are back to flat.
import { rm } from 'node:fs/promises'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { afterAll, describe, expect, it } from 'vitest'
import { leakedLines } from '../testing/http-probe.ts'
import {
  type DataDir,
  inspectDatabase,
  LOAD_PASSWORD,
  LOAD_USER,
  postJson,
  prepareDataDir,
  processFigures,
  sleep,
} from '../testing/reliability-fixture.ts'
import { type SpawnedIssuer, spawnIssuer } from '../testing/spawn-issuer.ts'

const LOAD_MS = Number(process.env.TOKENSMITH_LOAD_SECONDS ?? '60') * 1000
const WORKERS = 12
const WARMUP_MS = 5_000
// Longer than both keep-alive timeouts (client 4 s, server 5 s), so idle sockets are gone.
const SETTLE_MS = 7_000
const SAMPLE_MS = 10_000

let data: DataDir | undefined
let issuer: SpawnedIssuer | undefined

afterAll(async () => {
  await issuer?.stop()
  if (data) await rm(data.dir, { recursive: true, force: true })
})

interface Tokens {
  accessToken: string
  refreshToken: string
}

describe('mixed load, compressed', () => {
  it('serves every kind of request with flat memory and descriptors, and loses nothing', async () => {
    data = await prepareDataDir({ PURGE_INTERVAL: '5s', LOG_LEVEL: 'info' })
    issuer = await spawnIssuer(data.env)
    const { url } = issuer
    const pid = issuer.proc.pid as number
    const jwks = createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`))
    const creds = { username: LOAD_USER, password: LOAD_PASSWORD }

    const outcomes = new Map<string, number>()
    const failures: string[] = []
    const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
    let requests = 0
    let verified = 0
    const expectAnswer = (what: string, status: number, code: unknown, want: number, wantCode?: string) => {
      requests++
      count(status < 400 ? `${status}` : `${status} ${String(code)}`)
      if (status !== want || (wantCode !== undefined && code !== wantCode)) {
        failures.push(`${what}: ${status} ${String(code)} (wanted ${want} ${wantCode ?? ''})`)
      }
    }

    const login = async (): Promise<Tokens> => {
      const r = await postJson(`${url}/auth/login`, creds)
      expectAnswer('login', r.status, r.body.code, 200)
      return r.body as unknown as Tokens
    }

    const fdsIdle = processFigures(pid).fds
    let warm: { rssKiB: number; fds: number } | undefined
    let peakRss = 0
    const deadline = Date.now() + LOAD_MS
    const warmAt = Date.now() + WARMUP_MS
    const sessions: Tokens[] = []
    const series: number[] = []
    let nextSample = Date.now() + SAMPLE_MS

    const worker = async (w: number) => {
      let tokens = await login()
      let etag = ''
      for (let i = 0; Date.now() < deadline && failures.length === 0; i++) {
        const roll = (i * 7919 + w * 104729) % 100 // deterministic mix per worker
        if (roll < 45) {
          const r = await postJson(`${url}/auth/refresh`, { refreshToken: tokens.refreshToken })
          expectAnswer('refresh', r.status, r.body.code, 200)
          if (r.status === 200) tokens = r.body as unknown as Tokens
        } else if (roll < 63) {
          const { payload } = await jwtVerify(tokens.accessToken, jwks, {
            issuer: 'http://issuer.test',
            audience: 'api',
            typ: 'at+jwt',
            algorithms: ['RS256'],
          })
          if (typeof payload.sid !== 'string') failures.push('verify: no sid')
          verified++
        } else if (roll < 73) {
          const res = await fetch(`${url}/auth/sessions`, {
            headers: { authorization: `Bearer ${tokens.accessToken}` },
          })
          const body = (await res.json()) as { code?: string }
          // An API token (aud "api") never manages the account: the endpoints want the account scope.
          expectAnswer('sessions', res.status, body.code, 403, 'insufficient_scope')
        } else if (roll < 81) {
          const r = await postJson(`${url}/auth/logout`, { refreshToken: tokens.refreshToken })
          expectAnswer('logout', r.status, r.body.code, 200)
          const replay = await postJson(`${url}/auth/refresh`, { refreshToken: tokens.refreshToken })
          expectAnswer('refresh after logout', replay.status, replay.body.code, 401, 'invalid_token')
          tokens = await login()
        } else if (roll < 86) {
          const r = await postJson(`${url}/auth/login`, { ...creds, password: `wrong-${i}` })
          expectAnswer('bad login', r.status, r.body.code, 401, 'invalid_credentials')
        } else if (roll < 91) {
          const r = await postJson(`${url}/auth/refresh`, { refreshToken: `rt_${'Z'.repeat(43)}` })
          expectAnswer('unknown refresh token', r.status, r.body.code, 401, 'invalid_token')
        } else if (roll < 95) {
          const res = await fetch(`${url}/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"username":',
          })
          const body = (await res.json()) as { code?: string }
          expectAnswer('malformed body', res.status, body.code, 400, 'invalid_request')
        } else {
          const res = await fetch(`${url}/.well-known/jwks.json`, {
            headers: etag ? { 'if-none-match': etag } : {},
          })
          await res.arrayBuffer()
          expectAnswer('jwks', res.status, undefined, etag ? 304 : 200)
          etag = res.headers.get('etag') ?? etag
        }
        if (w === 0 && i % 50 === 0) {
          const now = processFigures(pid)
          peakRss = Math.max(peakRss, now.rssKiB)
          if (warm === undefined && Date.now() >= warmAt) warm = now
          if (Date.now() >= nextSample) {
            series.push(Math.round(now.rssKiB / 1024))
            nextSample += SAMPLE_MS
          }
        }
      }
      sessions[w] = tokens
    }
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)))
    expect(failures).toEqual([])

    await sleep(SETTLE_MS)
    const after = processFigures(pid)
    const base = warm ?? after

    // Every worker's session is still alive: its last refresh token rotates.
    let sessionsChecked = 0
    for (const tokens of sessions) {
      const r = await postJson(`${url}/auth/refresh`, { refreshToken: tokens.refreshToken })
      expect(r.status).toBe(200)
      sessionsChecked++
    }
    const stopping = issuer
    issuer = undefined
    expect(await stopping.stop()).toBe(0)
    const db = inspectDatabase(data.dbPath)

    const byCode = [...outcomes.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')
    console.log(
      `mixed load: ${(LOAD_MS / 1000).toFixed(0)} s, ${WORKERS} clients, ${requests} requests served ` +
        `(${(requests / (LOAD_MS / 1000)).toFixed(0)}/s), ${verified} local verifications\n` +
        `  answers by status/code: ${byCode}\n` +
        `  sessions checked: ${sessionsChecked} live (each refreshed after the run), ${db.sessions} rows left after purge, ` +
        `integrity ${db.integrity}\n` +
        `  issuer RSS: warm ${(base.rssKiB / 1024).toFixed(1)} MiB, peak ${(peakRss / 1024).toFixed(1)} MiB, ` +
        `after ${(after.rssKiB / 1024).toFixed(1)} MiB (every ${SAMPLE_MS / 1000} s: ${series.join(', ')} MiB); open fds: idle ${fdsIdle}, warm ${base.fds}, after ${after.fds}`,
    )

    expect(requests).toBeGreaterThan(1000)
    expect(db).toMatchObject({ integrity: 'ok', doubleLive: [], forkedGenerations: 0, liveWithoutToken: [] })
    // Flat: generous bounds, since a GC may or may not have run; a leak of per-request state
    // over tens of thousands of requests would break them.
    expect(after.rssKiB).toBeLessThan(base.rssKiB * 1.5)
    expect(after.fds).toBeLessThanOrEqual(fdsIdle + 10)
    expect(leakedLines(stopping.output.join('').split('\n'), [LOAD_PASSWORD])).toEqual([])
  })
})
