import type { KeyObject } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { type ServerType, serve } from '@hono/node-server'
import { type Context, Hono } from 'hono'
import { decodeJwt, jwtVerify } from 'jose'

/** One request the token endpoint received: its form and its Authorization header. */
export interface TokenRequest {
  readonly params: Readonly<Record<string, string>>
  readonly authorization: string | undefined
}

/** An access token the stand-in issued. Tokens are opaque strings here: the client never reads them. */
interface IssuedToken {
  readonly sub: string
  readonly scope: string
  /** The refresh family (a user's session), none for a service. */
  readonly sid: string | undefined
}

interface Family {
  readonly id: string
  readonly username: string
  readonly scope: string
  /** The only refresh token of the family that may be used next. */
  current: string
  revoked: boolean
}

/** How the stand-in answers, steered by the tests. */
export interface OAuthIssuerState {
  /**
   * The RFC 8414 document's mode: the full document, none (404), one without the password grant,
   * one naming another issuer, or a 503.
   */
  metadata: 'oauth' | 'absent' | 'no-password' | 'other-issuer' | 'down'
  expiresIn: number
  /** How the API says a token is no longer good: tokensmith's body code, or RFC 6750's challenge alone. */
  apiStyle: 'tokensmith' | 'rfc6750'
  /** While set, token requests wait for it. */
  gate: Promise<void> | undefined
  /** The next password grant with this scope is refused (invalid_scope). */
  refuseScope: string | undefined
  readonly metadataRequests: number
  readonly tokenRequests: TokenRequest[]
  readonly revocations: Readonly<Record<string, string>>[]
  /** JSON API calls, by path. */
  readonly jsonCalls: { path: string; body: unknown }[]
  /** Bearers the API and the account endpoints saw. */
  readonly bearers: { path: string; token: string | undefined }[]
  /** Verified payloads of every client assertion received. */
  readonly assertions: Record<string, unknown>[]
  readonly assertionHeaders: Record<string, unknown>[]
}

export interface OAuthIssuer {
  readonly url: string
  readonly tokenEndpoint: string
  readonly state: OAuthIssuerState
  /** Every access token issued so far now answers as expired. */
  expireAccessTokens(): void
  /** Every access token issued so far is now unknown (invalid_token). */
  forgetAccessTokens(): void
  /** The user's refresh families, by id, and whether they are live. */
  families(): { id: string; scope: string; revoked: boolean }[]
  /** Revokes a family as if its refresh token had been reused elsewhere. */
  revokeFamily(id: string): void
  close(): Promise<void>
}

export interface OAuthIssuerOptions {
  /** username -> password */
  readonly users?: Readonly<Record<string, string>>
  /** Public clients that may use the password grant. */
  readonly publicClients?: readonly string[]
  /** Confidential services: a secret, or the public key of their assertions. */
  readonly services?: Readonly<Record<string, { secret: string } | { publicKey: KeyObject }>>
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/**
 * A stand-in for the issuer's standard surface, served by Hono on 127.0.0.1: RFC 8414 metadata,
 * the token endpoint (password, refresh_token with rotation, client_credentials with
 * client_secret_basic or private_key_jwt checked by jose), RFC 7009 revocation, the JSON API
 * `/auth/*`, the account endpoints (which want the `account` scope), an API (`/api/echo`) and an
 * API that refuses every token (`/api/never`).
 */
export async function startOAuthIssuer(options: OAuthIssuerOptions = {}): Promise<OAuthIssuer> {
  const users = options.users ?? { ada: 'correct horse' }
  const publicClients = new Set(options.publicClients ?? ['default'])
  const services = options.services ?? {}
  const access = new Map<string, IssuedToken>()
  const expired = new Set<string>()
  const families = new Map<string, Family>()
  const refreshIndex = new Map<string, Family>()
  const seenJti = new Set<string>()
  let counter = 0
  let metadataRequests = 0
  let url = ''

  const state: OAuthIssuerState = {
    metadata: 'oauth',
    expiresIn: 900,
    apiStyle: 'tokensmith',
    gate: undefined,
    refuseScope: undefined,
    get metadataRequests() {
      return metadataRequests
    },
    tokenRequests: [],
    revocations: [],
    jsonCalls: [],
    bearers: [],
    assertions: [],
    assertionHeaders: [],
  }

  const oauthError = (c: Context, status: 400 | 401, error: string, description: string) =>
    c.json({ error, error_description: description }, status)

  function issueAccess(sub: string, scope: string, sid: string | undefined): string {
    const token = `at-${++counter}`
    access.set(token, { sub, scope, sid })
    return token
  }

  function openFamily(username: string, scope: string): { accessToken: string; refreshToken: string } {
    const id = `sid-${++counter}`
    const refreshToken = `rt-${++counter}`
    const family: Family = { id, username, scope, current: refreshToken, revoked: false }
    families.set(id, family)
    refreshIndex.set(refreshToken, family)
    return { accessToken: issueAccess(username, scope, id), refreshToken }
  }

  /** Rotation: the current token yields one successor; any other token of the family revokes it. */
  function rotate(refreshToken: string): { accessToken: string; refreshToken: string } | 'invalid' {
    const family = refreshIndex.get(refreshToken)
    if (family === undefined || family.revoked) return 'invalid'
    if (family.current !== refreshToken) {
      family.revoked = true
      return 'invalid'
    }
    const next = `rt-${++counter}`
    family.current = next
    refreshIndex.set(next, family)
    return { accessToken: issueAccess(family.username, family.scope, family.id), refreshToken: next }
  }

  function revokeByToken(refreshToken: string): void {
    const family = refreshIndex.get(refreshToken)
    if (family !== undefined) family.revoked = true
  }

  /** Authenticates a confidential client (Basic with form-urlencoded halves, or an assertion). */
  async function serviceOf(c: Context, form: URLSearchParams): Promise<string | undefined> {
    const authorization = c.req.header('authorization')
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      const decode = (half: string) => new URLSearchParams(`v=${half}`).get('v') ?? ''
      const id = decode(decoded.slice(0, colon))
      const service = services[id]
      return service !== undefined &&
        'secret' in service &&
        service.secret === decode(decoded.slice(colon + 1))
        ? id
        : undefined
    }
    if (form.get('client_assertion_type') === JWT_BEARER) {
      const id = form.get('client_id') ?? ''
      const service = services[id]
      if (service === undefined || !('publicKey' in service)) return undefined
      try {
        const assertion = form.get('client_assertion') ?? ''
        // The clients run on the tests' clocks: judge the assertion at its own iat (the tests
        // check its lifetime), so exp must still be ahead of it.
        const iat = decodeJwt(assertion).iat ?? 0
        const { payload, protectedHeader } = await jwtVerify(assertion, service.publicKey, {
          issuer: id,
          subject: id,
          audience: `${url}/oauth/token`,
          requiredClaims: ['exp', 'iat', 'jti'],
          currentDate: new Date(iat * 1000),
        })
        if (typeof payload.jti !== 'string' || seenJti.has(payload.jti)) return undefined
        seenJti.add(payload.jti)
        state.assertions.push(payload)
        state.assertionHeaders.push(protectedHeader)
        return id
      } catch {
        return undefined
      }
    }
    return undefined
  }

  const app = new Hono()

  app.get('/.well-known/oauth-authorization-server', (c) => {
    metadataRequests++
    if (state.metadata === 'absent') return c.json({ code: 'not_found' }, 404)
    if (state.metadata === 'down') return c.json({ code: 'unavailable' }, 503)
    return c.json({
      issuer: state.metadata === 'other-issuer' ? 'https://evil.test' : url,
      jwks_uri: `${url}/.well-known/jwks.json`,
      token_endpoint: `${url}/oauth/token`,
      revocation_endpoint: `${url}/oauth/revoke`,
      grant_types_supported:
        state.metadata === 'no-password'
          ? ['client_credentials', 'refresh_token']
          : ['password', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt', 'none'],
    })
  })

  app.post('/oauth/token', async (c) => {
    const form = new URLSearchParams(await c.req.text())
    state.tokenRequests.push({
      params: Object.fromEntries(form),
      authorization: c.req.header('authorization'),
    })
    if (state.gate !== undefined) await state.gate
    const bearer = (accessToken: string, refreshToken?: string, scope = '') =>
      c.json({
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: state.expiresIn,
        scope,
        ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      })
    switch (form.get('grant_type')) {
      case 'password': {
        if (!publicClients.has(form.get('client_id') ?? '')) {
          return oauthError(c, 401, 'invalid_client', 'Unknown client.')
        }
        const username = form.get('username') ?? ''
        if (users[username] === undefined || users[username] !== form.get('password')) {
          return oauthError(c, 400, 'invalid_grant', 'Wrong username or password.')
        }
        const scope = form.get('scope') ?? ''
        if (state.refuseScope !== undefined && scope === state.refuseScope) {
          return oauthError(c, 400, 'invalid_scope', 'That scope is not for this client.')
        }
        const { accessToken, refreshToken } = openFamily(username, scope)
        return bearer(accessToken, refreshToken, scope)
      }
      case 'refresh_token': {
        if (!publicClients.has(form.get('client_id') ?? '')) {
          return oauthError(c, 401, 'invalid_client', 'Unknown client.')
        }
        const rotated = rotate(form.get('refresh_token') ?? '')
        if (rotated === 'invalid')
          return oauthError(c, 400, 'invalid_grant', 'The refresh token is not valid.')
        return bearer(rotated.accessToken, rotated.refreshToken)
      }
      case 'client_credentials': {
        const id = await serviceOf(c, form)
        if (id === undefined) return oauthError(c, 401, 'invalid_client', 'Client authentication failed.')
        const scope = form.get('scope') ?? ''
        return bearer(issueAccess(id, scope, undefined), undefined, scope)
      }
      default:
        return oauthError(c, 400, 'unsupported_grant_type', 'Not this grant.')
    }
  })

  app.post('/oauth/revoke', async (c) => {
    const form = new URLSearchParams(await c.req.text())
    state.revocations.push(Object.fromEntries(form))
    revokeByToken(form.get('token') ?? '')
    return c.body(null, 200)
  })

  app.post('/auth/:action{login|refresh|logout}', async (c) => {
    const body = (await c.req.json()) as Record<string, unknown>
    state.jsonCalls.push({ path: c.req.path, body })
    const action = c.req.param('action')
    if (action === 'login') {
      const username = String(body.username)
      if (users[username] === undefined || users[username] !== body.password) {
        return c.json({ code: 'invalid_credentials', error: 'Wrong username or password.' }, 401)
      }
      const scope = typeof body.scope === 'string' ? body.scope : ''
      const { accessToken, refreshToken } = openFamily(username, scope)
      return c.json({ accessToken, refreshToken, expiresIn: state.expiresIn, tokenType: 'Bearer' })
    }
    if (action === 'refresh') {
      const rotated = rotate(String(body.refreshToken))
      if (rotated === 'invalid') return c.json({ code: 'invalid_token', error: 'No.' }, 401)
      return c.json({ ...rotated, expiresIn: state.expiresIn, tokenType: 'Bearer' })
    }
    revokeByToken(String(body.refreshToken))
    return c.json({ ok: true })
  })

  /** The bearer's token, or the 401/403 answer an API or the account endpoints give. */
  function authorize(c: Context, needScope?: string): IssuedToken | Response {
    const header = c.req.header('authorization')
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined
    state.bearers.push({ path: c.req.path, token })
    const issued = token === undefined ? undefined : access.get(token)
    const family = issued?.sid === undefined ? undefined : families.get(issued.sid)
    const refusal = (code: 'invalid_token' | 'token_expired') => {
      c.header('www-authenticate', `Bearer realm="api", error="invalid_token", error_description="${code}"`)
      return state.apiStyle === 'tokensmith'
        ? c.json({ code, error: 'The access token is not good.' }, 401)
        : c.text('Unauthorized', 401)
    }
    // Like the issuer's account endpoints, and unlike an API verifying from keys, these know sessions.
    const sessionEnded = needScope !== undefined && family?.revoked === true
    if (token === undefined || issued === undefined || sessionEnded) return refusal('invalid_token')
    if (expired.has(token)) return refusal('token_expired')
    if (needScope !== undefined && !issued.scope.split(' ').includes(needScope)) {
      return c.json({ code: 'insufficient_scope', error: 'Not for this token.' }, 403)
    }
    return issued
  }

  app.all('/api/echo', async (c) => {
    const issued = authorize(c)
    if (issued instanceof Response) return issued
    return c.json({ sub: issued.sub, body: c.req.method === 'POST' ? await c.req.text() : null })
  })

  /** An API that refuses every token: a client must not loop on it. */
  app.all('/api/never', (c) => {
    state.bearers.push({ path: c.req.path, token: c.req.header('authorization')?.slice(7) })
    return c.json({ code: 'invalid_token', error: 'Never.' }, 401)
  })

  /** An API that wants a stronger and more recent authentication (RFC 9470 section 3) of any token. */
  app.all('/api/step-up', (c) => {
    state.bearers.push({ path: c.req.path, token: c.req.header('authorization')?.slice(7) })
    c.header(
      'www-authenticate',
      'Bearer realm="api", error="insufficient_user_authentication", error_description="Step up.", acr_values="urn:tokensmith:acr:mfa urn:tokensmith:acr:phishing-resistant", max_age=300',
    )
    return c.json({ code: 'insufficient_user_authentication', error: 'Step up.' }, 401)
  })

  app.get('/auth/sessions', (c) => {
    const issued = authorize(c, 'account')
    if (issued instanceof Response) return issued
    const sessions = [...families.values()]
      .filter((f) => f.username === issued.sub && !f.revoked)
      .map((f) => ({ id: f.id, clientId: 'default', current: f.id === issued.sid }))
    return c.json({ sessions })
  })

  app.delete('/auth/sessions/:id', (c) => {
    const issued = authorize(c, 'account')
    if (issued instanceof Response) return issued
    const family = families.get(c.req.param('id'))
    if (family === undefined || family.revoked || family.username !== issued.sub) {
      return c.json({ code: 'not_found', error: 'No live session with that id.' }, 404)
    }
    family.revoked = true
    return c.json({ ok: true })
  })

  app.post('/auth/logout-all', (c) => {
    const issued = authorize(c, 'account')
    if (issued instanceof Response) return issued
    let revoked = 0
    for (const family of families.values()) {
      if (family.username === issued.sub && !family.revoked) {
        family.revoked = true
        revoked++
      }
    }
    return c.json({ ok: true, revoked })
  })

  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started))
  })
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    tokenEndpoint: `${url}/oauth/token`,
    state,
    expireAccessTokens: () => {
      for (const token of access.keys()) expired.add(token)
    },
    forgetAccessTokens: () => access.clear(),
    families: () => [...families.values()].map(({ id, scope, revoked }) => ({ id, scope, revoked })),
    revokeFamily: (id) => {
      const family = families.get(id)
      if (family !== undefined) family.revoked = true
    },
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
