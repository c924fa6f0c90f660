import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, type Verifier } from '../create-verifier.ts'
import { type AuthEnv, honoAuth } from '../hono/index.ts'
import {
  type CountingJwksServer,
  type JwksServerMode,
  startCountingJwksServer,
} from '../testing/counting-jwks-server.ts'
import { accessToken, createTestKey, T0, TEST_AUDIENCE, TEST_ISSUER } from '../testing/test-key.ts'

/**
 * A Hono service with honoAuth keeps verifying from its cached keys while the issuer's JWKS
 * endpoint is down, slow, failing or answering garbage, up to maxStaleSec past freshness (on an
 * injected clock); then it answers 503 keys_unavailable; then it recovers by itself once the
 * endpoint answers again. Figures are printed per fault.
 */
const FRESH_SEC = 60
const MAX_STALE_SEC = 300
const COOLDOWN_SEC = 2
const FETCH_TIMEOUT_MS = 250

type Fault = { readonly name: string; readonly mode: JwksServerMode | 'down' }

const FAULTS: readonly Fault[] = [
  { name: 'down (connection refused)', mode: 'down' },
  { name: `slow (answers after 1 s, timeout ${FETCH_TIMEOUT_MS} ms)`, mode: 'slow' },
  { name: 'HTTP 500', mode: 500 },
  { name: 'HTTP 503', mode: 503 },
  { name: 'HTML instead of JSON', mode: 'html' },
  { name: 'truncated JSON', mode: 'truncated' },
  { name: '{"keys": "x"}', mode: 'keys-not-array' },
]

describe('reliability: the JWKS endpoint fails under a running Hono service', () => {
  const key = createTestKey('RS256')
  let server: CountingJwksServer
  let verifier: Verifier
  let app: Hono<AuthEnv>
  let now = T0
  const pendingFetches = new Set<Promise<unknown>>()
  let fetchAttempts = 0
  let warnings = 0

  beforeAll(async () => {
    server = await startCountingJwksServer()
    server.keys = [key.publicJwk]
    server.slowMs = 1000
    verifier = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: server.jwksUrl,
      clock: () => now,
      minCacheSec: 0,
      maxCacheSec: FRESH_SEC,
      maxStaleSec: MAX_STALE_SEC,
      unknownKidCooldownSec: COOLDOWN_SEC,
      fetchTimeoutMs: FETCH_TIMEOUT_MS,
      fetch: (input, init) => {
        fetchAttempts++
        const pending = fetch(input, init)
        pendingFetches.add(pending)
        pending.then(
          () => pendingFetches.delete(pending),
          () => pendingFetches.delete(pending),
        )
        return pending
      },
      onWarning: () => {
        warnings++
      },
    })
    app = new Hono<AuthEnv>()
    app.use('/api/*', honoAuth(verifier))
    app.get('/api/me', (c) => c.json({ sub: c.var.auth.sub }))
    // The SDK's refusals are HTTPExceptions: handed back as they are, so only a bug becomes a 500.
    app.onError((error, c) =>
      error instanceof HTTPException ? error.getResponse() : c.json({ code: 'internal' }, 500),
    )
    await verifier.ready()
  })

  afterAll(async () => {
    verifier.close()
    await settle()
    await server.close()
  })

  /** Lets background refreshes started so far finish (or time out), so counts are stable. */
  async function settle(): Promise<void> {
    while (pendingFetches.size > 0) await Promise.allSettled([...pendingFetches])
    await new Promise((resolve) => setTimeout(resolve, 20))
  }

  /** Sends `n` requests with tokens valid at `now`; returns the outcomes by "status code". */
  async function traffic(n: number, tally: Map<string, number>): Promise<string[]> {
    const seen: string[] = []
    for (let i = 0; i < n; i++) {
      const iat = Math.floor(now / 1000)
      const token = accessToken(key, { iat, exp: iat + 900, jti: `j-${now}-${i}` })
      const res = await app.request('/api/me', { headers: { authorization: `Bearer ${token}` } })
      const body = (await res.json()) as { code?: string }
      const outcome = `${res.status} ${body.code ?? 'ok'}`
      if (res.status === 503) {
        expect(res.headers.get('retry-after')).toBe('30')
        expect(body).toEqual({ code: 'keys_unavailable', error: expect.any(String) })
      }
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1)
      seen.push(outcome)
    }
    return seen
  }

  async function breakEndpoint(fault: Fault): Promise<void> {
    if (fault.mode === 'down') await server.stop()
    else server.mode = fault.mode
  }

  async function repairEndpoint(fault: Fault): Promise<void> {
    if (fault.mode === 'down') await server.start()
    server.mode = 'ok'
  }

  for (const fault of FAULTS) {
    it(`${fault.name}: cached keys until maxStaleSec, then 503 keys_unavailable, then recovery`, async () => {
      // Start from freshly fetched keys: fresh until start + FRESH_SEC, usable until + MAX_STALE_SEC.
      await settle()
      await verifier.refreshKeys()
      const start = now
      const staleUntil = start + (FRESH_SEC + MAX_STALE_SEC) * 1000
      const attemptsBefore = fetchAttempts
      const warningsBefore = warnings
      server.resetCounts()
      const tally = new Map<string, number>()
      await breakEndpoint(fault)

      // Fresh, then stale: every request verifies from the cached keys while refreshes fail.
      for (let t = start + 10_000; t <= staleUntil; t += 15_000) {
        now = t
        expect(await traffic(3, tally)).toEqual(['200 ok', '200 ok', '200 ok'])
        await settle()
      }
      now = staleUntil
      expect(await traffic(2, tally)).toEqual(['200 ok', '200 ok'])
      await settle()
      const failedRefreshes = fetchAttempts - attemptsBefore
      expect(failedRefreshes).toBeGreaterThan(0)
      expect(warnings - warningsBefore).toBeGreaterThan(0)

      // Past the bound: fail closed, as 503 keys_unavailable (not 401).
      now = staleUntil + 1000
      expect(await traffic(3, tally)).toEqual([
        '503 keys_unavailable',
        '503 keys_unavailable',
        '503 keys_unavailable',
      ])
      await settle()
      now += 60_000
      expect(await traffic(2, tally)).toEqual(['503 keys_unavailable', '503 keys_unavailable'])
      await settle()

      // The endpoint is back: the next request past the retry backoff fetches and verifies.
      await repairEndpoint(fault)
      await settle()
      now += COOLDOWN_SEC * 1000 + 1000
      expect(await traffic(3, tally)).toEqual(['200 ok', '200 ok', '200 ok'])
      await settle()

      console.log(
        `JWKS ${fault.name}: requests ${[...tally.values()].reduce((a, b) => a + b, 0)},`,
        `outcomes ${JSON.stringify(Object.fromEntries(tally))},`,
        `JWKS fetch attempts ${fetchAttempts - attemptsBefore},`,
        `endpoint answers ${JSON.stringify(Object.fromEntries(server.answers))},`,
        `warnings ${warnings - warningsBefore}`,
      )
    })
  }

  it('never answered 500 and keeps serving after all of it', async () => {
    const tally = new Map<string, number>()
    expect(await traffic(5, tally)).toEqual(Array(5).fill('200 ok'))
  })
})
