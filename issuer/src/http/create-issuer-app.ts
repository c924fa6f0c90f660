import { getConnInfo } from '@hono/node-server/conninfo'
import { type Context, Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { AuthService, TokenPair } from '../core/auth-service.ts'
import type { Clock } from '../core/clock.ts'
import type { Store } from '../core/store.ts'
import type { AccessClaims, AccessTokenVerifier } from '../core/tokens/access-token-verifier.ts'
import { IssuerError } from '../errors.ts'
import type { KeyRing } from '../keys/key-ring.ts'
import type { IssuerConfig } from '../runtime/config.ts'
import type { Logger } from '../runtime/logger.ts'
import { isStoreUnavailable } from './is-store-unavailable.ts'
import { createJwksResponder, etagMatches } from './jwks-response.ts'
import { optionalStringField, readJsonBody, stringField } from './read-json-body.ts'

export interface IssuerAppDeps {
  auth: AuthService
  verifier: AccessTokenVerifier
  keyRing: KeyRing
  store: Store
  clock: Clock
  logger: Logger
  config: Pick<
    IssuerConfig,
    'issuerUrl' | 'maxBodyBytes' | 'trustProxy' | 'cookieOrigins' | 'cookieSecure' | 'refreshIdleTtlSec'
  >
  /** The JWKS max-age; must stay below the key schedule's publish lead. */
  jwksMaxAgeSec: number
  /** Overrides how the client address is found (tests). */
  clientAddress?: (c: Context) => string | null
}

type Env = { Variables: { claims: AccessClaims } }

const REALM = 'tokensmith'
/** Browsers get the refresh token only as this httpOnly cookie, scoped to the auth endpoints. */
export const REFRESH_COOKIE = 'tokensmith_rt'
const COOKIE_PATH = '/auth'
/** Cookie-authenticated calls must carry this header: a cross-site form or plain link cannot. */
export const CSRF_HEADER = 'x-requested-with'

function defaultClientAddress(trustProxy: boolean) {
  return (c: Context): string | null => {
    if (trustProxy) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim()
      if (forwarded) return forwarded.slice(0, 64)
    }
    try {
      return getConnInfo(c).remote.address ?? null
    } catch {
      return null // not behind @hono/node-server (in-process tests)
    }
  }
}

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

/** The issuer's HTTP surface. Every error answers `{ code, error }` with its status. */
export function createIssuerApp(deps: IssuerAppDeps): Hono<Env> {
  const { auth, verifier, keyRing, store, clock, logger, config } = deps
  const clientAddress = deps.clientAddress ?? defaultClientAddress(config.trustProxy)
  const jwksAt = createJwksResponder(keyRing)
  const app = new Hono<Env>()

  app.onError((err, c) => {
    if (err instanceof IssuerError) {
      if (err.retryAfterSec !== undefined) c.header('Retry-After', String(err.retryAfterSec))
      if (err.status >= 500) logger.error('request_failed', { code: err.code, detail: err.detail ?? null })
      return c.json({ code: err.code, error: err.message }, err.status as 400)
    }
    if (isStoreUnavailable(err)) {
      logger.error('store_unavailable', {
        name: err.name,
        code: String((err as { code?: unknown }).code ?? ''),
      })
      c.header('Retry-After', '5')
      return c.json(
        { code: 'unavailable', error: 'The service is temporarily unavailable. Try again shortly.' },
        503,
      )
    }
    logger.error('unhandled_error', { name: err.name, path: c.req.path })
    return c.json({ code: 'server_error', error: 'The server failed to handle the request.' }, 500)
  })
  app.notFound((c) => c.json({ code: 'not_found', error: 'No such endpoint.' }, 404))

  const allowedOrigin = (c: Context) => {
    const origin = c.req.header('origin')
    return origin !== undefined && config.cookieOrigins.includes(origin) ? origin : null
  }

  // Token and session answers must never be cached by a browser or proxy. Browser apps on an
  // allow-listed origin may call the auth endpoints with credentials (CORS).
  app.use('/auth/*', async (c, next) => {
    const origin = allowedOrigin(c)
    if (origin) {
      c.header('Access-Control-Allow-Origin', origin)
      c.header('Access-Control-Allow-Credentials', 'true')
      c.header('Vary', 'Origin')
      if (c.req.method === 'OPTIONS') {
        c.header('Access-Control-Allow-Methods', 'GET, POST, DELETE')
        c.header('Access-Control-Allow-Headers', `content-type, authorization, ${CSRF_HEADER}`)
        c.header('Access-Control-Max-Age', '600')
        return c.body(null, 204)
      }
    }
    // Set before the handler runs: headers added after it would force a rebuild of the response.
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    await next()
  })

  /** The cookie is only honoured from an allow-listed Origin with the custom header. */
  const requireCookieContext = (c: Context) => {
    if (!allowedOrigin(c) || !c.req.header(CSRF_HEADER)) {
      throw new IssuerError(
        'forbidden_origin',
        `Cookie-based calls need an allowed Origin and the ${CSRF_HEADER} header.`,
      )
    }
  }
  const setRefreshCookie = (c: Context, token: string) =>
    setCookie(c, REFRESH_COOKIE, token, {
      httpOnly: true,
      secure: config.cookieSecure,
      sameSite: 'Strict',
      path: COOKIE_PATH,
      maxAge: config.refreshIdleTtlSec,
    })
  const clearRefreshCookie = (c: Context) =>
    deleteCookie(c, REFRESH_COOKIE, {
      path: COOKIE_PATH,
      secure: config.cookieSecure,
      httpOnly: true,
      sameSite: 'Strict',
    })

  /** The refresh token from the body, or else from the cookie (then under the cookie rules). */
  const presentedRefreshToken = async (c: Context): Promise<{ token: string; viaCookie: boolean }> => {
    const cookie = getCookie(c, REFRESH_COOKIE)
    const hasBody =
      c.req.header('content-type') !== undefined || Number(c.req.header('content-length') ?? 0) > 0
    const body = hasBody ? await readJsonBody(c, config.maxBodyBytes) : {}
    if (body.refreshToken === undefined && cookie !== undefined) {
      requireCookieContext(c)
      return { token: cookie, viaCookie: true }
    }
    return { token: stringField(body, 'refreshToken', config.maxBodyBytes), viaCookie: false }
  }

  const requireBearer = async (c: Context<Env>, next: () => Promise<void>) => {
    const header = c.req.header('authorization')
    const match = header === undefined ? null : /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header)
    if (!match?.[1]) {
      c.header('WWW-Authenticate', `Bearer realm="${REALM}"`)
      return c.json({ code: 'missing_token', error: 'A Bearer access token is required.' }, 401)
    }
    try {
      const claims = await verifier.verify(match[1])
      // These endpoints manage sessions: a token whose own session has ended (logout,
      // logout-all, reuse detected, user disabled) must not list or end the ones that remain.
      if (!(await auth.isSessionLive(claims.sub, claims.sid))) {
        throw new IssuerError('invalid_token', 'The session of this access token has ended. Log in again.', {
          detail: 'session_ended',
        })
      }
      c.set('claims', claims)
    } catch (err) {
      // RFC 6750: a rejected token is answered with the Bearer challenge and its error.
      if (err instanceof IssuerError && err.status === 401) {
        c.header(
          'WWW-Authenticate',
          `Bearer realm="${REALM}", error="invalid_token", error_description="${err.message}"`,
        )
      }
      throw err
    }
    await next()
  }

  app.post('/auth/login', async (c) => {
    const body = await readJsonBody(c, config.maxBodyBytes)
    if (body.useCookie !== undefined && typeof body.useCookie !== 'boolean') {
      throw new IssuerError('invalid_request', 'The field "useCookie" must be a boolean.')
    }
    if (body.useCookie) requireCookieContext(c)
    const pair = await auth.login({
      username: stringField(body, 'username', 256),
      password: stringField(body, 'password', 4096),
      clientId: optionalStringField(body, 'clientId', 128),
      clientIp: clientAddress(c),
      userAgent: c.req.header('user-agent') ?? null,
    })
    if (body.useCookie) {
      setRefreshCookie(c, pair.refreshToken)
      return c.json(browserBody(pair))
    }
    return c.json(tokenBody(pair))
  })

  app.post('/auth/refresh', async (c) => {
    const { token, viaCookie } = await presentedRefreshToken(c)
    try {
      const pair = await auth.refresh(token)
      if (!viaCookie) return c.json(tokenBody(pair))
      setRefreshCookie(c, pair.refreshToken)
      return c.json(browserBody(pair))
    } catch (err) {
      if (viaCookie) clearRefreshCookie(c)
      throw err
    }
  })

  app.post('/auth/logout', async (c) => {
    const { token, viaCookie } = await presentedRefreshToken(c)
    await auth.logout(token)
    if (viaCookie) clearRefreshCookie(c)
    return c.json({ ok: true })
  })

  app.post('/auth/logout-all', requireBearer, async (c) => {
    const revoked = await auth.logoutAll(c.get('claims').sub)
    return c.json({ ok: true, revoked })
  })

  app.get('/auth/sessions', requireBearer, async (c) => {
    const claims = c.get('claims')
    const sessions = await auth.listSessions(claims.sub)
    return c.json({ sessions: sessions.map((s) => ({ ...s, current: s.id === claims.sid })) })
  })

  app.delete('/auth/sessions/:id', requireBearer, async (c) => {
    const id = c.req.param('id') ?? ''
    if (!(await auth.revokeSession(c.get('claims').sub, id))) {
      throw new IssuerError('not_found', 'No live session with that id.')
    }
    return c.json({ ok: true })
  })

  app.get('/.well-known/jwks.json', (c) => {
    const { body, etag } = jwksAt(clock())
    c.header('Cache-Control', `public, max-age=${deps.jwksMaxAgeSec}`)
    c.header('ETag', etag)
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304)
    c.header('Content-Type', 'application/json')
    return c.body(body)
  })

  const base = config.issuerUrl
  const metadata = () => {
    const algs = [...new Set(keyRing.jwks(clock()).keys.map((k) => k.alg))]
    return {
      issuer: base,
      jwks_uri: `${base}/.well-known/jwks.json`,
      token_endpoint: `${base}/auth/refresh`,
      revocation_endpoint: `${base}/auth/logout`,
      grant_types_supported: ['password', 'refresh_token'],
      response_types_supported: ['token'],
      token_endpoint_auth_methods_supported: ['none'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: algs,
      access_token_signing_alg_values_supported: algs,
      login_endpoint: `${base}/auth/login`,
      logout_all_endpoint: `${base}/auth/logout-all`,
      sessions_endpoint: `${base}/auth/sessions`,
    }
  }
  const discovery = (c: Context) => {
    c.header('Cache-Control', `public, max-age=${deps.jwksMaxAgeSec}`)
    return c.json(metadata())
  }
  app.get('/.well-known/openid-configuration', discovery)
  app.get('/.well-known/oauth-authorization-server', discovery)

  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const checks: Record<string, 'ok' | 'failing'> = { store: 'ok', keys: 'ok' }
    try {
      await store.ping()
    } catch {
      checks.store = 'failing'
    }
    try {
      keyRing.signingKey(clock())
    } catch {
      checks.keys = 'failing'
    }
    const ready = checks.store === 'ok' && checks.keys === 'ok'
    return c.json({ status: ready ? 'ready' : 'unavailable', checks }, ready ? 200 : 503)
  })

  return app
}
