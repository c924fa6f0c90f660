// What a browser relies on from the /auth CORS answers: allow-listed origins get credentials
// and a preflight that covers the methods and headers the cookie flow sends; others get nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example'
let t: TestIssuer

beforeAll(async () => {
  t = await createTestIssuer({ COOKIE_ORIGINS: APP })
})
afterAll(async () => {
  await t.cleanup()
})

/** A comma-separated header as the browser reads it: a set of lower-case tokens. */
const tokens = (value: string | null) => (value ?? '').split(',').map((s) => s.trim().toLowerCase())
const corsHeaders = (res: Response) => [...res.headers.keys()].filter((k) => k.startsWith('access-control-'))

describe('CORS on /auth', () => {
  it('answers an allowed preflight with 204, credentials, methods, headers and max-age', async () => {
    const res = await t.request('/auth/refresh', {
      method: 'OPTIONS',
      headers: {
        origin: APP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-requested-with',
      },
    })
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    expect(res.headers.get('access-control-allow-origin')).toBe(APP)
    expect(res.headers.get('access-control-allow-credentials')).toBe('true')
    expect(tokens(res.headers.get('access-control-allow-methods')).sort()).toEqual(['delete', 'get', 'post'])
    expect(tokens(res.headers.get('access-control-allow-headers')).sort()).toEqual([
      'authorization',
      'content-type',
      'x-requested-with',
    ])
    expect(res.headers.get('access-control-max-age')).toBe('600')
    expect(tokens(res.headers.get('vary'))).toContain('origin')
  })

  it('gives an allowed origin credentials on answers and errors alike', async () => {
    for (const init of [
      { method: 'POST', json: { refreshToken: `rt_${'A'.repeat(43)}` } },
      { method: 'GET' },
    ]) {
      const res = await t.request(init.method === 'GET' ? '/auth/sessions' : '/auth/refresh', {
        ...init,
        headers: { origin: APP },
      })
      expect(res.status).toBe(401)
      expect(res.headers.get('access-control-allow-origin')).toBe(APP)
      expect(res.headers.get('access-control-allow-credentials')).toBe('true')
      expect(tokens(res.headers.get('vary'))).toContain('origin')
    }
  })

  it('sends no CORS header to another origin or without one, preflight included', async () => {
    const preflight = await t.request('/auth/refresh', {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(404)
    expect(corsHeaders(preflight)).toEqual([])
    for (const headers of [{ origin: EVIL }, {}] as Record<string, string>[]) {
      const res = await t.request('/auth/refresh', {
        method: 'POST',
        json: { refreshToken: `rt_${'A'.repeat(43)}` },
        headers,
      })
      expect(corsHeaders(res)).toEqual([])
    }
  })

  it('keeps every /auth answer out of caches', async () => {
    const answers = [
      await t.request('/auth/refresh', { method: 'POST', json: {} }),
      await t.request('/auth/sessions', { headers: { origin: APP } }),
      await t.request('/auth/nope'),
      await t.request('/auth/login', {
        method: 'POST',
        body: 'x',
        headers: { 'content-type': 'text/plain' },
      }),
    ]
    for (const res of answers) {
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(res.headers.get('pragma')).toBe('no-cache')
    }
  })
})
