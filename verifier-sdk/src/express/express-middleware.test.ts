import type { AddressInfo } from 'node:net'
import express, { type NextFunction, type Request, type Response } from 'express'
import express4 from 'express4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
  expressAuth,
  isServiceToken,
  isUserToken,
  requireAcr,
  requireAuthTime,
  requireRole,
  requireScope,
} from './index.ts'

function buildApp(createApp: typeof express) {
  const app = createApp()
  app.use('/api', expressAuth(middlewareVerifier))
  app.use('/down', expressAuth(downVerifier))
  app.use('/boom', expressAuth(boomVerifier))
  // req.auth is typed through module augmentation.
  const me = (req: Request, res: Response) => {
    res.json({ sub: req.auth?.sub, roles: req.auth?.roles })
  }
  app.get('/api/me', me)
  app.get('/api/admin', requireRole('admin', 'ops'), me)
  app.get('/api/orders', requireScope('orders:read', 'orders:write'), me)
  app.get('/down/me', me)
  app.get('/boom/me', me)
  app.get('/open/admin', requireRole('admin'), me)
  app.get('/api/strong', requireAcr(STRONG_ACR), me)
  app.get('/api/recent', requireAuthTime(RECENT_MAX_AGE_SEC, { clock: middlewareClock }), me)
  app.get('/open/strong', requireAcr(STRONG_ACR), me)
  app.get('/api/kind', (req: Request, res: Response) => {
    const auth = req.auth
    if (auth !== undefined && isUserToken(auth)) res.json({ kind: 'user', sid: auth.sid satisfies string })
    else res.json({ kind: auth !== undefined && isServiceToken(auth) ? 'service' : 'neither', sid: null })
  })
  app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ code: 'internal' })
  })
  return app
}

// The peer range is ^4.21 || ^5: both majors run the whole suite (express4 is an npm alias).
describe.each([
  ['Express 5', express],
  ['Express 4', express4],
])('expressAuth through a real %s app on 127.0.0.1', (_major, createApp) => {
  let base: string
  let close: () => Promise<void>

  beforeAll(async () => {
    const server = buildApp(createApp).listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  })

  afterAll(() => close())

  for (const testCase of middlewareCases) {
    it(`answers ${testCase.status} for ${testCase.name}`, async () => {
      const { path, init } = caseRequest(testCase)
      await expectCaseAnswer(testCase, await fetch(`${base}${path}`, init))
    })
  }

  it('passes an unexpected verifier failure to the error handler (500), not a 401', async () => {
    const res = await fetch(`${base}/boom/me`, {
      headers: { authorization: `Bearer ${accessToken(middlewareKey)}` },
    })
    expect(res.status).toBe(500)
  })

  it("tells a user's token from a service's with the guards of its entry point", async () => {
    for (const { authorization, answer } of kindCases) {
      expect(await (await fetch(`${base}/api/kind`, { headers: { authorization } })).json()).toEqual(answer)
    }
  })

  it('refuses with 401 when requireRole or requireAcr runs without expressAuth', async () => {
    for (const path of ['/open/admin', '/open/strong']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ code: 'missing_token' })
    }
  })

  it('validates its arguments once, at the factory', () => {
    expect(() => expressAuth(null as never)).toThrow(/"verifier"/)
    expect(() => requireRole()).toThrow(TypeError)
    expect(() => requireScope(5 as never)).toThrow(TypeError)
    expect(() => requireAcr([])).toThrow(/^requireAcr: /)
    expect(() => requireAcr(['a"b'])).toThrow(TypeError)
    expect(() => requireAuthTime(0.5)).toThrow(/^requireAuthTime: "maxAgeSec"/)
    expect(expressAuth(middlewareVerifier).name).toBe('expressAuthMiddleware')
    expect(requireAuthTime(60).name).toBe('requirementMiddleware')
  })
})
