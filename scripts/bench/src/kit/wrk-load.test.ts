import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OAUTH_REFRESH } from './refresh-wire.ts'
import { runWrkLoad } from './wrk-load.ts'

// A stand-in refresh endpoint with the issuer's one-use rule: each token answers 200 once with a
// successor, and 401 ever after. It proves the Lua pool hands every successor back to wrk.
let server: Server
let url: string
const live = new Set<string>()
const counts = { ok: 0, reused: 0, other: 0 }
const newToken = () => `rt_${randomBytes(32).toString('base64url')}`

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => {
      body += d.toString()
    })
    req.on('end', () => {
      if (req.url === '/static' && req.method === 'POST' && body === 'grant_type=x') {
        counts.other++
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
        return
      }
      // The JSON API's body, or the token endpoint's form (RFC 6749 §6), answered in kind.
      const form = req.headers['content-type'] === 'application/x-www-form-urlencoded'
      const token = form
        ? (new URLSearchParams(body).get('refresh_token') ?? '')
        : ((JSON.parse(body || '{}') as { refreshToken?: string }).refreshToken ?? '')
      if (!live.delete(token)) {
        counts.reused++
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":"invalid_token"}')
        return
      }
      counts.ok++
      const next = newToken()
      live.add(next)
      const answer = form ? { access_token: 'x', refresh_token: next } : { refreshToken: next }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('runWrkLoad', () => {
  it('rotates: every request presents a live token and each successor goes back into the pool', async () => {
    const tokens = Array.from({ length: 12 }, newToken)
    for (const t of tokens) live.add(t)
    const result = await runWrkLoad({
      url,
      connections: 4,
      durationSec: 1,
      request: { method: 'POST', path: '/refresh', headers: { 'content-type': 'application/json' } },
      refreshTokens: tokens,
    })
    expect(counts.reused).toBe(0)
    expect(result.failed).toBe(0)
    // Far more successful requests than starting tokens: successors were reused by wrk.
    expect(result.ok).toBeGreaterThan(100)
    expect(Math.abs(result.ok - counts.ok)).toBeLessThanOrEqual(4)
    expect(result.rps).toBeCloseTo(result.ok / result.durationSec, 5)
    expect(result.latencyP99Ms).toBeGreaterThanOrEqual(result.latencyP50Ms)
    expect(result.clientCpuSec).toBeGreaterThan(0)
  })

  it('rotates through the token endpoint: a form body, the successor from refresh_token', async () => {
    const tokens = Array.from({ length: 12 }, newToken)
    for (const t of tokens) live.add(t)
    const before = { ...counts }
    const result = await runWrkLoad({
      url,
      connections: 4,
      durationSec: 1,
      request: {
        method: 'POST',
        path: OAUTH_REFRESH.path,
        headers: { 'content-type': OAUTH_REFRESH.contentType },
      },
      refreshTokens: tokens,
      refreshWire: OAUTH_REFRESH,
    })
    expect(counts.reused).toBe(before.reused)
    expect(result.failed).toBe(0)
    expect(result.ok).toBeGreaterThan(100)
    expect(Math.abs(result.ok - (counts.ok - before.ok))).toBeLessThanOrEqual(4)
  })

  it('counts failures when the pool runs dry, and sends a fixed request as given', async () => {
    const dry = await runWrkLoad({
      url,
      connections: 2,
      durationSec: 1,
      request: { method: 'POST', path: '/refresh', headers: { 'content-type': 'application/json' } },
      refreshTokens: [],
    })
    expect(dry.ok).toBe(0)
    expect(dry.failed).toBeGreaterThan(0)
    expect(dry.statusCounts['non-2xx']).toBe(dry.failed)
    const fixed = await runWrkLoad({
      url,
      connections: 2,
      durationSec: 1,
      request: { method: 'POST', path: '/static', headers: {}, body: 'grant_type=x' },
    })
    expect(fixed.failed).toBe(0)
    expect(fixed.ok).toBeGreaterThan(50)
  })
})
