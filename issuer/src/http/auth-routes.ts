import { type Context, Hono } from 'hono'
import type { AuthService, TokenPair } from '../core/auth-service.ts'
import { ACCOUNT_SCOPE } from '../core/clients/grant-scope.ts'
import { MfaRequiredError } from '../core/login/mfa-required-error.ts'
import type { AccessTokenVerifier } from '../core/tokens/access-token-verifier.ts'
import { IssuerError } from '../errors.ts'
import { authCors } from './auth-cors.ts'
import { type BearerEnv, bearerAuth } from './bearer-auth.ts'
import { createCookieOriginPolicy } from './cookie-origin-policy.ts'
import type { HttpConfig } from './http-config.ts'
import { optionalStringField, readJsonBody, stringField } from './read-json-body.ts'
import { createRefreshCookie } from './refresh-cookie.ts'
import type { SecondStepFields } from './second-step-fields.ts'

export interface AuthRoutesDeps {
  auth: AuthService
  verifier: AccessTokenVerifier
  config: Pick<
    HttpConfig,
    'issuerUrl' | 'maxBodyBytes' | 'cookieOrigins' | 'cookieSecure' | 'refreshIdleTtlSec'
  >
  clientAddress: (c: Context) => string | null
  /** The ways `/auth/login/mfa` finishes a login, by body field; none: no second step offered. */
  secondSteps?: SecondStepFields
}

const REALM = 'tokensmith'

function tokenBody(pair: TokenPair) {
  return {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresIn: pair.expiresIn,
    tokenType: pair.tokenType,
  }
}

/** What a browser sees: never the refresh token, which travels only in the httpOnly cookie. */
function browserBody(pair: TokenPair) {
  return { accessToken: pair.accessToken, expiresIn: pair.expiresIn, tokenType: pair.tokenType }
}

/** `/auth/*`, the JSON API: login, refresh, logout, logout-all and sessions (mount at `/auth`). */
export function createAuthRoutes(deps: AuthRoutesDeps): Hono<BearerEnv> {
  const { auth, config, clientAddress } = deps
  const origins = createCookieOriginPolicy(config.cookieOrigins)
  const cookie = createRefreshCookie({ secure: config.cookieSecure, maxAgeSec: config.refreshIdleTtlSec })
  const requireBearer = bearerAuth({
    verify: (token) => deps.verifier.verify(token),
    isSessionLive: (userId, sessionId) => auth.isSessionLive(userId, sessionId),
    realm: REALM,
    // The account endpoints take only tokens issued for them, never one meant for another API.
    requires: { scope: ACCOUNT_SCOPE, audience: config.issuerUrl },
  })
  const routes = new Hono<BearerEnv>()

  // Browser apps on an allow-listed origin may call these endpoints with credentials.
  routes.use(authCors(origins.allowedOrigin))
  // Token and session answers must never be cached by a browser or proxy. Set before the
  // handler runs: headers added after it would force a rebuild of the response.
  routes.use(async (c, next) => {
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    await next()
  })

  /** The refresh token from the body, or else from the cookie (then under the cookie rules). */
  const presentedRefreshToken = async (c: Context): Promise<{ token: string; viaCookie: boolean }> => {
    const fromCookie = cookie.read(c)
    const hasBody =
      c.req.header('content-type') !== undefined || Number(c.req.header('content-length') ?? 0) > 0
    const body = hasBody ? await readJsonBody(c, config.maxBodyBytes) : {}
    if (body.refreshToken === undefined && fromCookie !== undefined) {
      origins.requireCookieContext(c)
      return { token: fromCookie, viaCookie: true }
    }
    return { token: stringField(body, 'refreshToken', config.maxBodyBytes), viaCookie: false }
  }

  /** The body's `useCookie` flag, checked (and the cookie rules applied) before any work. */
  const wantsCookie = (c: Context, body: Record<string, unknown>): boolean => {
    if (body.useCookie !== undefined && typeof body.useCookie !== 'boolean') {
      throw new IssuerError('invalid_request', 'The field "useCookie" must be a boolean.')
    }
    if (body.useCookie) origins.requireCookieContext(c)
    return body.useCookie === true
  }
  const answer = (c: Context, pair: TokenPair, useCookie: boolean) => {
    if (!useCookie) return c.json(tokenBody(pair))
    cookie.set(c, pair.refreshToken)
    return c.json(browserBody(pair))
  }

  routes.post('/login', async (c) => {
    const body = await readJsonBody(c, config.maxBodyBytes)
    const useCookie = wantsCookie(c, body)
    try {
      const pair = await auth.login({
        username: stringField(body, 'username', 256),
        password: stringField(body, 'password', 4096),
        clientId: optionalStringField(body, 'clientId', 128),
        scope: optionalStringField(body, 'scope', 1024),
        clientIp: clientAddress(c),
        userAgent: c.req.header('user-agent') ?? null,
      })
      return answer(c, pair, useCookie)
    } catch (err) {
      if (!(err instanceof MfaRequiredError)) throw err
      return c.json({ code: err.code, error: err.message, mfaToken: err.mfaToken, factors: err.factors }, 401)
    }
  })

  // The second step: `{mfaToken, otp}` or `{mfaToken, recoveryCode}` (or any field of secondSteps).
  routes.post('/login/mfa', async (c) => {
    const body = await readJsonBody(c, config.maxBodyBytes)
    const useCookie = wantsCookie(c, body)
    const offered = Object.keys(deps.secondSteps ?? {})
    const given = offered.filter((field) => body[field] !== undefined)
    if (given.length !== 1) {
      throw new IssuerError('invalid_request', `Send mfaToken and one of: ${offered.join(', ')}.`)
    }
    const chosen = deps.secondSteps?.[given[0] as string]
    if (chosen === undefined) throw new IssuerError('invalid_request', 'No such second step.')
    const mfaToken = stringField(body, 'mfaToken', 128)
    // Read before the ticket is looked up: a malformed body costs no store round trip.
    chosen.read(body, '')
    const pair = await auth.finishSecondStep(mfaToken, chosen.step, (userId) => chosen.read(body, userId), {
      clientIp: clientAddress(c),
      userAgent: c.req.header('user-agent') ?? null,
    })
    return answer(c, pair, useCookie)
  })

  routes.post('/refresh', async (c) => {
    const { token, viaCookie } = await presentedRefreshToken(c)
    try {
      const pair = await auth.refresh(token)
      if (!viaCookie) return c.json(tokenBody(pair))
      cookie.set(c, pair.refreshToken)
      return c.json(browserBody(pair))
    } catch (err) {
      if (viaCookie) cookie.clear(c)
      throw err
    }
  })

  routes.post('/logout', async (c) => {
    const { token, viaCookie } = await presentedRefreshToken(c)
    await auth.logout(token)
    if (viaCookie) cookie.clear(c)
    return c.json({ ok: true })
  })

  routes.post('/logout-all', requireBearer, async (c) => {
    const revoked = await auth.logoutAll(c.get('claims').sub)
    return c.json({ ok: true, revoked })
  })

  routes.get('/sessions', requireBearer, async (c) => {
    const claims = c.get('claims')
    const sessions = await auth.listSessions(claims.sub)
    return c.json({ sessions: sessions.map((s) => ({ ...s, current: s.id === claims.sid })) })
  })

  routes.delete('/sessions/:id', requireBearer, async (c) => {
    const id = c.req.param('id') ?? ''
    if (!(await auth.revokeSession(c.get('claims').sub, id))) {
      throw new IssuerError('not_found', 'No live session with that id.')
    }
    return c.json({ ok: true })
  })

  return routes
}
