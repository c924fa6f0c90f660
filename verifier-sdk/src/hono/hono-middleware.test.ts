import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { describe, expect, it } from 'vitest'
import { VerifyError } from '../errors.ts'
import {
  boomVerifier,
  caseRequest,
  downVerifier,
  expectCaseAnswer,
  kindCases,
  middlewareCases,
  middlewareClock,
  middlewareKey,
  middlewareVerifier,
  RECENT_MAX_AGE_SEC,
  STRONG_ACR,
} from '../testing/middleware-cases.ts'
import { accessToken } from '../testing/test-key.ts'
import {
  type AuthEnv,
  honoAuth,
  isServiceToken,
  isUserToken,
  requireAcr,
  requireAuthTime,
  requireRole,
  requireScope,
} from './index.ts'

/** The table's routes, on an app of the caller's (with or without an error handler). */
function mountRoutes(app: Hono<AuthEnv>): Hono<AuthEnv> {
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
  app.get('/api/strong', requireAcr(STRONG_ACR), (c) => c.json({ sub: c.var.auth.sub, acr: c.var.auth.acr }))
  app.get('/api/recent', requireAuthTime(RECENT_MAX_AGE_SEC, { clock: middlewareClock }), (c) =>
    c.json({ sub: c.var.auth.sub, authTime: c.var.auth.authTime }),
  )
  app.get('/open/strong', requireAcr(STRONG_ACR), (c) => c.text('unreachable'))
  app.get('/api/kind', (c) => {
    const auth = c.var.auth
    if (isUserToken(auth)) return c.json({ kind: 'user', sid: auth.sid satisfies string })
    return c.json({ kind: isServiceToken(auth) ? 'service' : 'neither', sid: auth.sid ?? null })
  })
  return app
}

describe('honoAuth through a real Hono app', () => {
  // No onError: the answers are the SDK's own.
  const app = mountRoutes(new Hono<AuthEnv>())

  for (const testCase of middlewareCases) {
    it(`answers ${testCase.status} for ${testCase.name}`, async () => {
      const { path, init } = caseRequest(testCase)
      await expectCaseAnswer(testCase, await app.request(path, init))
    })
  }

  it('answers a refusal with exactly these headers and body bytes', async () => {
    for (const testCase of middlewareCases.filter((c) => c.status !== 200)) {
      const { path, init } = caseRequest(testCase)
      const res = await app.request(path, init)
      const code = testCase.code as VerifyError['code']
      const message = new VerifyError(code, { reason: 'missing', detail: '' }).message
      expect(await res.text()).toBe(JSON.stringify({ code, error: message }))
      expect([...res.headers]).toEqual([
        ['cache-control', 'no-store'],
        ['content-type', 'application/json'],
        ...(testCase.retryAfter === undefined ? [] : [['retry-after', testCase.retryAfter]]),
        ...(testCase.challenge == null ? [] : [['www-authenticate', testCase.challenge]]),
      ])
    }
  })

  it('lets an unexpected verifier failure reach the app error handler (500), not a 401', async () => {
    const handled = mountRoutes(new Hono<AuthEnv>())
    handled.onError((_error, c) => c.json({ code: 'internal' }, 500))
    const res = await handled.request('/boom/me', {
      headers: { authorization: `Bearer ${accessToken(middlewareKey)}` },
    })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ code: 'internal' })
  })

  it('throws an HTTPException that an app onError can restyle, reading the VerifyError as its cause', async () => {
    const seen: unknown[] = []
    const styled = mountRoutes(new Hono<AuthEnv>())
    styled.onError((error, c) => {
      seen.push(error)
      if (error instanceof HTTPException && error.cause instanceof VerifyError) {
        const { code, claim, reason } = error.cause
        return c.json({ problem: code, claim, reason }, error.status)
      }
      return c.json({ code: 'internal' }, 500)
    })
    const expired = middlewareCases.find((c) => c.code === 'token_expired')
    const scoped = middlewareCases.find((c) => c.code === 'insufficient_scope')
    if (expired === undefined || scoped === undefined) throw new Error('the table lacks a case')
    for (const [testCase, claim, reason] of [
      [expired, 'exp', 'expired'],
      [scoped, 'scope', 'not_granted'],
    ] as const) {
      const { path, init } = caseRequest(testCase)
      const res = await styled.request(path, init)
      expect(res.status).toBe(testCase.status)
      expect(await res.json()).toEqual({ problem: testCase.code, claim, reason })
    }
    const [first] = seen
    expect(first).toBeInstanceOf(HTTPException)
    expect((first as HTTPException).message).toBe('The access token has expired.')
  })

  it("keeps the SDK's answer in an onError that hands HTTPExceptions back (hono's convention)", async () => {
    const passing = mountRoutes(new Hono<AuthEnv>())
    passing.onError((error, c) =>
      error instanceof HTTPException ? error.getResponse() : c.json({ code: 'internal' }, 500),
    )
    for (const testCase of middlewareCases) {
      const { path, init } = caseRequest(testCase)
      await expectCaseAnswer(testCase, await passing.request(path, init))
    }
  })

  it("tells a user's token from a service's with the guards of its entry point", async () => {
    for (const { authorization, answer } of kindCases) {
      expect(await (await app.request('/api/kind', { headers: { authorization } })).json()).toEqual(answer)
    }
  })

  it('refuses with 401 when requireRole or requireAcr runs without honoAuth', async () => {
    for (const path of ['/open/admin', '/open/strong']) {
      const res = await app.request(path)
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ code: 'missing_token' })
    }
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
    expect(() => requireAcr([])).toThrow(/^requireAcr: /)
    expect(() => requireAcr('urn:tokensmith:acr:mfa' as never)).toThrow(/^requireAcr: "values"/)
    expect(() => requireAuthTime(-5)).toThrow(/^requireAuthTime: "maxAgeSec"/)
    expect(() => requireAuthTime(60, { clock: 'now' as never })).toThrow(/"clock"/)
    expect(honoAuth(middlewareVerifier).name).toBe('honoAuthMiddleware')
    expect(requireAcr(STRONG_ACR).name).toBe('requirementMiddleware')
    expect(requireAuthTime(60).name).toBe('requirementMiddleware')
  })
})
