import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import {
  boomVerifier,
  downVerifier,
  middlewareCases,
  middlewareKey,
  middlewareTokens,
  middlewareVerifier,
} from '../testing/middleware-cases.ts'
import { accessToken } from '../testing/test-key.ts'
import { type AuthEnv, honoAuth, requireRole, requireScope } from './index.ts'

function buildApp() {
  const app = new Hono<AuthEnv>()
  app.use('/api/*', honoAuth(middlewareVerifier))
  app.use('/down/*', honoAuth(downVerifier))
  app.use('/boom/*', honoAuth(boomVerifier))
  // c.var.auth is typed: no cast.
  app.get('/api/me', (c) => c.json({ sub: c.var.auth.sub, roles: c.var.auth.roles }))
  app.get('/api/admin', requireRole('admin', 'ops'), (c) => c.json({ sub: c.var.auth.sub }))
  app.get('/api/orders', requireScope('orders:read', 'orders:write'), (c) => c.json({ sub: c.var.auth.sub }))
  app.get('/down/me', (c) => c.json({ sub: c.var.auth.sub }))
  app.get('/boom/me', (c) => c.json({ sub: c.var.auth.sub }))
  app.get('/open/admin', requireRole('admin'), (c) => c.text('unreachable'))
  app.onError((_error, c) => c.json({ code: 'internal' }, 500))
  return app
}

describe('honoAuth through a real Hono app', () => {
  const app = buildApp()

  for (const testCase of middlewareCases) {
    it(`answers ${testCase.status} for ${testCase.name}`, async () => {
      const headers: Record<string, string> = {}
      if (testCase.authorization !== undefined) headers.authorization = testCase.authorization
      const res = await app.request(testCase.path, { headers })
      const text = await res.text()
      expect(res.status).toBe(testCase.status)
      const body = JSON.parse(text)
      if (testCase.status === 200) {
        expect(body.sub).toBe(testCase.sub)
      } else {
        expect(body).toEqual({ code: testCase.code, error: expect.any(String) })
        expect(res.headers.get('www-authenticate')).toBe(testCase.challenge)
        expect(res.headers.get('retry-after')).toBe(testCase.retryAfter ?? null)
        expect(res.headers.get('cache-control')).toBe('no-store')
      }
      const echoed = text + JSON.stringify([...res.headers])
      for (const token of middlewareTokens) expect(echoed).not.toContain(token.split('.')[2])
    })
  }

  it('lets an unexpected verifier failure reach the app error handler (500), not a 401', async () => {
    const res = await app.request('/boom/me', {
      headers: { authorization: `Bearer ${accessToken(middlewareKey)}` },
    })
    expect(res.status).toBe(500)
  })

  it('refuses with 401 when requireRole runs without honoAuth', async () => {
    const res = await app.request('/open/admin')
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ code: 'missing_token' })
  })

  it('uses a custom realm', async () => {
    const custom = new Hono<AuthEnv>()
    custom.use(honoAuth(middlewareVerifier, { realm: 'orders' }))
    custom.get('/', (c) => c.text(c.var.auth.sub))
    const res = await custom.request('/')
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="orders"')
  })

  it('validates its arguments once, at the factory', () => {
    expect(() => honoAuth(undefined as never)).toThrow(TypeError)
    expect(() => honoAuth({} as never)).toThrow(/"verifier"/)
    expect(() => honoAuth(middlewareVerifier, { realm: 'a"b' })).toThrow(/"realm"/)
    expect(() => requireRole()).toThrow(TypeError)
    expect(() => requireRole('')).toThrow(TypeError)
    expect(() => requireScope('a b')).toThrow(TypeError)
    expect(honoAuth(middlewareVerifier).name).toBe('honoAuthMiddleware')
  })
})
