import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../store/open-store.ts'
import { seedIssuerData } from '../../testing/seed-issuer-data.ts'
import { sharedStoreBackends } from '../../testing/shared-store-backends.ts'
import { type SpawnedIssuer, spawnIssuer } from '../../testing/spawn-issuer.ts'
import { hashRefreshToken } from '../tokens/refresh-token.ts'

// Two issuer processes share one store; 50 refreshes race with one token across both. Run on
// every store a deployment may share between instances: one SQLite file, PostgreSQL, Redis.
const backends = sharedStoreBackends('race')

let dir: string
let issuers: SpawnedIssuer[] = []
let databaseUrl: string

describe.each(backends)('concurrent refreshes with one token, two issuer processes, $name', (backend) => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokensmith-race-'))
    databaseUrl = backend.databaseUrl(dir)
    await seedIssuerData({
      keysDir: join(dir, 'keys'),
      databaseUrl,
      users: [{ username: 'racer', password: 'pw-racer-123' }],
    })
  })
  afterEach(async () => {
    await Promise.all(issuers.map((i) => i.stop()))
    issuers = []
    await backend.cleanup()
    await rm(dir, { recursive: true, force: true })
  })

  async function startTwo(grace: string): Promise<SpawnedIssuer[]> {
    const env = {
      KEYS_DIR: join(dir, 'keys'),
      DATABASE_URL: databaseUrl,
      SCRYPT_LOG_N: '10',
      REFRESH_GRACE: grace,
      ISSUER_URL: 'http://issuer.test',
    }
    issuers = await Promise.all([spawnIssuer(env), spawnIssuer(env)])
    return issuers
  }

  async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, string> }> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Record<string, string> }
  }

  async function race(a: SpawnedIssuer, b: SpawnedIssuer) {
    const login = await post(`${a.url}/auth/login`, { username: 'racer', password: 'pw-racer-123' })
    expect(login.status).toBe(200)
    const token = login.body.refreshToken as string
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        post(`${(i % 2 ? a : b).url}/auth/refresh`, { refreshToken: token }),
      ),
    )
    return { token, results }
  }

  it('with the grace window: every success carries the same single successor, which stays live', async () => {
    const [a, b] = await startTwo('10s')
    const { results } = await race(a!, b!)
    const successors = new Set(results.filter((r) => r.status === 200).map((r) => r.body.refreshToken))
    expect(successors.size).toBe(1)
    expect(results.every((r) => r.status === 200)).toBe(true)
    const [successor] = [...successors]
    const next = await post(`${b!.url}/auth/refresh`, { refreshToken: successor })
    expect(next.status).toBe(200)
  })

  it('without it: one success, the rest reuse_detected, and the family ends up revoked', async () => {
    const [a, b] = await startTwo('0')
    const { token, results } = await race(a!, b!)
    const ok = results.filter((r) => r.status === 200)
    expect(ok.length).toBeLessThanOrEqual(1)
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(401)
      expect(['reuse_detected', 'invalid_token']).toContain(r.body.code)
    }
    expect(results.some((r) => r.body.code === 'reuse_detected')).toBe(true)
    // Consistent family state: every token of it is dead now.
    if (ok[0])
      expect((await post(`${a!.url}/auth/refresh`, { refreshToken: ok[0].body.refreshToken })).status).toBe(
        401,
      )
    const store = await openStore(databaseUrl)
    const original = await store.findToken(hashRefreshToken(token))
    const session = await store.getSession(original!.sessionId)
    expect(session?.revokedReason).toBe('reuse_detected')
    await store.close()
  })

  /** One refresh through either surface, reduced to what both answer: the status and the successor. */
  async function refreshVia(
    issuer: SpawnedIssuer,
    surface: 'auth' | 'oauth',
    token: string,
  ): Promise<{ status: number; successor: string | undefined; error: string }> {
    if (surface === 'auth') {
      const r = await post(`${issuer.url}/auth/refresh`, { refreshToken: token })
      return { status: r.status, successor: r.body.refreshToken, error: r.body.code ?? '' }
    }
    const res = await fetch(`${issuer.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, client_id: 'default' }),
    })
    const body = (await res.json()) as Record<string, string>
    return { status: res.status, successor: body.refresh_token, error: body.error ?? '' }
  }

  /** 50 refreshes of one token: both instances, both surfaces (RFC 6749 §6 and the JSON API). */
  async function mixedRace(a: SpawnedIssuer, b: SpawnedIssuer) {
    const login = await post(`${a.url}/auth/login`, { username: 'racer', password: 'pw-racer-123' })
    expect(login.status).toBe(200)
    const token = login.body.refreshToken as string
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => refreshVia(i % 2 ? a : b, i % 4 < 2 ? 'oauth' : 'auth', token)),
    )
    return { token, results }
  }

  it('/oauth/token and /auth/refresh mixed, with the grace window: one successor, handed to every caller', async () => {
    const [a, b] = await startTwo('10s')
    const { results } = await mixedRace(a!, b!)
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200))
    const successors = new Set(results.map((r) => r.successor))
    expect(successors.size).toBe(1)
    const [successor] = [...successors]
    expect((await refreshVia(a!, 'oauth', successor as string)).status).toBe(200)
  })

  it('/oauth/token and /auth/refresh mixed, without it: at most one successor, the rest refused, the family revoked', async () => {
    const [a, b] = await startTwo('0')
    const { token, results } = await mixedRace(a!, b!)
    const ok = results.filter((r) => r.status === 200)
    expect(ok.length).toBeLessThanOrEqual(1)
    for (const r of results.filter((x) => x.status !== 200)) {
      // The JSON API's codes, or RFC 6749 §5.2's invalid_grant for the token endpoint.
      expect([401, 400]).toContain(r.status)
      expect(['reuse_detected', 'invalid_token', 'invalid_grant']).toContain(r.error)
    }
    if (ok[0]) expect((await refreshVia(b!, 'auth', ok[0].successor as string)).status).toBe(401)
    const store = await openStore(databaseUrl)
    const original = await store.findToken(hashRefreshToken(token))
    const session = await store.getSession(original!.sessionId)
    expect(session?.revokedReason).toBe('reuse_detected')
    await store.close()
  })
})
