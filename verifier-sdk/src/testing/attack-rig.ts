import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type NextFunction, type Request, type Response } from 'express'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { expect } from 'vitest'
import type { AccessTokenClaims } from '../claims/access-token-claims.ts'
import { createVerifier, type Verifier } from '../create-verifier.ts'
import { VerifyError, type VerifyErrorCode } from '../errors.ts'
import { expressAuth } from '../express/index.ts'
import { type AuthEnv, honoAuth } from '../hono/index.ts'
import type { VerifierOptions } from '../verifier-options.ts'
import { type CountingJwksServer, startCountingJwksServer } from './counting-jwks-server.ts'
import { payloadOf } from './forge.ts'
import { accessToken, createTestKey, T0, TEST_AUDIENCE, TEST_ISSUER, type TestKey } from './test-key.ts'

/**
 * Node's HTTP server answers 431 itself for request headers over 16 KiB (its default
 * --max-http-header-size), before Express or the SDK see the request.
 */
const NODE_MAX_HEADER_BYTES = 16 * 1024 - 512

/** One verifier under attack, reached directly, through honoAuth and through expressAuth. */
export interface AttackRig {
  /** The issuer's signing key: published in the JWKS, held by the test (never by the attacker). */
  readonly key: TestKey
  readonly server: CountingJwksServer
  readonly verifier: Verifier
  readonly hono: Hono<AuthEnv>
  readonly expressUrl: string
  /** The verifier's clock, in ms. */
  now: number
  /** A well-formed token valid at the rig's `now`, with claim and header overrides. */
  token(claims?: Record<string, unknown>, header?: Record<string, unknown>): string
  /** The claims such a token carries (for tokens the attacker signs or assembles by hand). */
  claims(overrides?: Record<string, unknown>): Record<string, unknown>
  /** Asserts `token` is refused with `code` directly and through both middlewares (401, challenge, body). */
  refused(token: string, code?: VerifyErrorCode): Promise<void>
  /** Asserts `token` is refused by `verify()` alone and returns the error. */
  refusedDirectly(token: string, code?: VerifyErrorCode): Promise<VerifyError>
  /** Asserts `token` is accepted directly and through both middlewares, and returns the claims. */
  accepted(token: string): Promise<AccessTokenClaims>
  close(): Promise<void>
}

export interface AttackRigOptions {
  /** More JWKS entries published beside the issuer's key. */
  readonly extraJwks?: readonly object[]
  readonly verifier?: Partial<VerifierOptions>
}

/** Every token the middlewares refused must leave no trace of itself in the answer. */
function expectNoEcho(answer: string, token: string): void {
  for (const part of token.split('.').filter((p) => p.length > 16)) expect(answer).not.toContain(part)
}

async function expectHttpRefusal(
  res: globalThis.Response,
  code: VerifyErrorCode,
  token: string,
): Promise<void> {
  const text = await res.text()
  expect({ status: res.status, text }).toMatchObject({ status: code === 'keys_unavailable' ? 503 : 401 })
  expect(JSON.parse(text)).toEqual({ code, error: expect.any(String) })
  if (code !== 'keys_unavailable') {
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="invalid_token"/)
  }
  expectNoEcho(text + JSON.stringify([...res.headers]), token)
}

/** Tokens that cannot travel in an HTTP header at all (control or non-ASCII characters). */
function sendable(token: string): boolean {
  return /^[\x21-\x7e]*$/.test(token) && token.length > 0
}

export async function startAttackRig(options: AttackRigOptions = {}): Promise<AttackRig> {
  const key = createTestKey('RS256')
  const server = await startCountingJwksServer()
  server.keys = [key.publicJwk, ...(options.extraJwks ?? [])]
  const verifier = createVerifier({
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    jwksUri: server.jwksUrl,
    clock: () => rig.now,
    ...options.verifier,
  })

  const hono = new Hono<AuthEnv>()
  hono.use('/api/*', honoAuth(verifier))
  hono.get('/api/me', (c) => c.json({ sub: c.var.auth.sub }))
  // The SDK's refusals are HTTPExceptions: handed back as they are, so only a bug becomes a 500.
  hono.onError((error, c) =>
    error instanceof HTTPException
      ? error.getResponse()
      : c.json({ code: 'internal', error: String(error) }, 500),
  )

  const app = express()
  app.use('/api', expressAuth(verifier))
  app.get('/api/me', (req: Request, res: Response) => {
    res.json({ sub: req.auth?.sub })
  })
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ code: 'internal', error: String(error) })
  })
  const http: Server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => http.once('listening', () => resolve()))
  const expressUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`

  async function refusedDirectly(
    token: string,
    code: VerifyErrorCode = 'invalid_token',
  ): Promise<VerifyError> {
    const error = await verifier.verify(token).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(VerifyError)
    const verifyError = error as VerifyError
    expect({ code: verifyError.code, detail: verifyError.detail }).toMatchObject({ code })
    expectNoEcho(`${verifyError.message} ${verifyError.detail}`, token)
    return verifyError
  }

  const rig: AttackRig = {
    key,
    server,
    verifier,
    hono,
    expressUrl,
    now: T0,
    token(claims = {}, header = {}) {
      const iat = Math.floor(rig.now / 1000)
      return accessToken(key, { iat, exp: iat + 900, ...claims }, header)
    },
    claims(overrides = {}) {
      return payloadOf(rig.token(overrides))
    },
    refusedDirectly,
    async refused(token, code = 'invalid_token') {
      await refusedDirectly(token, code)
      if (!sendable(token)) return
      const authorization = `Bearer ${token}`
      await expectHttpRefusal(await hono.request('/api/me', { headers: { authorization } }), code, token)
      const res = await fetch(`${expressUrl}/api/me`, { headers: { authorization } })
      if (authorization.length > NODE_MAX_HEADER_BYTES) {
        // Refused by Node before the app: still no 2xx and no 5xx.
        expect(res.status).toBe(431)
        await res.arrayBuffer()
        return
      }
      await expectHttpRefusal(res, code, token)
    },
    async accepted(token) {
      const claims = await verifier.verify(token)
      const authorization = `Bearer ${token}`
      const viaHono = await hono.request('/api/me', { headers: { authorization } })
      expect(viaHono.status).toBe(200)
      expect(await viaHono.json()).toEqual({ sub: claims.sub })
      const viaExpress = await fetch(`${expressUrl}/api/me`, { headers: { authorization } })
      expect(viaExpress.status).toBe(200)
      expect(await viaExpress.json()).toEqual({ sub: claims.sub })
      return claims
    },
    async close() {
      verifier.close()
      await new Promise<void>((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      })
      await server.close()
    },
  }
  await verifier.ready()
  return rig
}
