import { TokenClientError } from '../errors.ts'
import { type AuthorizationServer, createAuthorizationServerLookup } from './authorization-server.ts'
import { fetchWithBearer } from './bearer-fetch.ts'
import { invalidResponse, issuerError } from './issuer-error.ts'
import { createJsonSessionApi } from './json-session-api.ts'
import { createOAuthSessionApi } from './oauth-session-api.ts'
import type { ResolvedUserOptions } from './resolve-token-client-options.ts'
import type { SessionApi } from './session-api.ts'
import { createSessionSlot, type Session } from './session-slot.ts'

/** One of the user's sessions, as the issuer's `GET /auth/sessions` lists it. */
export interface AccountSession {
  readonly id: string
  /** True for the session of the token that asked: the client's account session. */
  readonly current: boolean
  /** The issuer's other fields (clientId, createdAt, lastUsedAt, expiresAt, clientIp, userAgent). */
  readonly [field: string]: unknown
}

/** A user's client: logs in, keeps the session, and calls APIs with its access token. */
export interface TokenClient {
  /**
   * Logs in and keeps the tokens (and, with `account: true`, opens the account session too).
   * Throws TokenClientError with the issuer's code on refusal.
   */
  login(username: string, password: string): Promise<void>
  /**
   * fetch() with `Authorization: Bearer <access token>`. Refreshes ahead when the token is known
   * to be expired, and once after a 401 that says the token expired (then retries; a
   * ReadableStream body is not replayed). Concurrent callers share one refresh. Throws
   * TokenClientError when the session has ended, and InsufficientUserAuthenticationError on a
   * 401 with the RFC 9470 challenge (the API wants a stronger or more recent login: its
   * `acrValues` and `maxAge`). Attach it only to services that trust this issuer: the bearer goes to `input`.
   */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>
  /** Revokes the session (and the account session) at the issuer and forgets the tokens. */
  logout(): Promise<void>
  /** Whether the client holds a session. */
  isLoggedIn(): boolean
  /** The user's live sessions (`GET /auth/sessions`). Needs `account: true`. */
  listSessions(): Promise<AccountSession[]>
  /** Ends one of the user's sessions by its id (`DELETE /auth/sessions/:id`). Needs `account: true`. */
  revokeSession(id: string): Promise<void>
  /** Ends every session of the user, this client's included (`POST /auth/logout-all`). Needs `account: true`. */
  logoutAll(): Promise<void>
}

/** The reserved scope of tokens for the issuer's own account endpoints. */
const ACCOUNT_SCOPE = 'account'

/** A 401 body code that asks a user's client to refresh (tokensmith's middleware). */
const REFRESH_ON = ['token_expired']

function noop(): void {}

function sessionsOf(body: unknown): AccountSession[] | undefined {
  const sessions = (body as { sessions?: unknown } | undefined)?.sessions
  if (!Array.isArray(sessions)) return undefined
  const valid = sessions.every(
    (s) => typeof s === 'object' && s !== null && typeof s.id === 'string' && typeof s.current === 'boolean',
  )
  return valid ? (sessions as AccountSession[]) : undefined
}

export function createUserTokenClient(options: ResolvedUserOptions): TokenClient {
  const { fetch, base, clock, skewMs } = options
  const authorizationServer = createAuthorizationServerLookup(fetch, options.issuer)
  const jsonApi = createJsonSessionApi(fetch, base)

  const noAccountSession = () =>
    new TokenClientError(
      'no_account_session',
      401,
      options.account ? 'The account session has ended.' : 'The client was created without account: true.',
    )
  // The account session ends alone when its refresh is refused: the user's session goes on.
  const account = createSessionSlot({ clock, skewMs, noSession: noAccountSession, onEnded: noop })
  const main = createSessionSlot({
    clock,
    skewMs,
    noSession: () => new TokenClientError('not_logged_in', 401, 'The client has no session.'),
    onEnded(_session, error) {
      // The account session belongs to this login: it goes with it (revoked in the background).
      account.close().then((closed) => closed && revokeQuietly(closed), noop)
      options.onSessionEnded(error.code)
    },
  })

  function revokeQuietly(session: Session): void {
    session.api.revoke(session.refreshToken).catch(noop)
  }

  /** The standard token endpoint when the metadata offers it with the password grant, else /auth/*. */
  async function sessionApi(): Promise<SessionApi> {
    const server: AuthorizationServer = await authorizationServer()
    if (server.kind !== 'oauth' || !server.endpoints.grantTypes.has('password')) return jsonApi
    return createOAuthSessionApi(fetch, server.endpoints, options.clientId, jsonApi.revoke)
  }

  async function accountCall(method: 'GET' | 'POST' | 'DELETE', path: string): Promise<unknown> {
    if (account.session === undefined) throw noAccountSession()
    const response = await fetchWithBearer(fetch, account, REFRESH_ON, `${base}${path}`, {
      method,
      headers: { accept: 'application/json' },
    })
    if (!response.ok) throw await issuerError(response, 'json')
    return response.json().catch(() => undefined)
  }

  return {
    async login(username, password) {
      if (typeof username !== 'string' || typeof password !== 'string') {
        throw new TypeError('login: username and password must be strings')
      }
      const api = await sessionApi()
      const startedAt = clock()
      main.open(api, await api.login(username, password, options.scope), startedAt)
      if (!options.account) return
      try {
        const accountStartedAt = clock()
        account.open(api, await api.login(username, password, ACCOUNT_SCOPE), accountStartedAt)
      } catch (error) {
        // Both sessions or neither: a login that cannot manage the account is not half kept (nor
        // is the account session of an earlier login left beside no user's session).
        const opened = [await main.close(), await account.close()].filter((s) => s !== undefined)
        await Promise.all(opened.map((s) => s.api.revoke(s.refreshToken).catch(noop)))
        throw error
      }
    },

    fetch: (input, init) => fetchWithBearer(fetch, main, REFRESH_ON, input, init),

    async logout() {
      const sessions = [await main.close(), await account.close()].filter((s) => s !== undefined)
      const results = await Promise.allSettled(sessions.map((s) => s.api.revoke(s.refreshToken)))
      for (const result of results) if (result.status === 'rejected') throw result.reason
    },

    isLoggedIn: () => main.session !== undefined,

    async listSessions() {
      const sessions = sessionsOf(await accountCall('GET', '/auth/sessions'))
      if (sessions === undefined) throw invalidResponse(200)
      return sessions
    },

    async revokeSession(id) {
      if (typeof id !== 'string' || id.length === 0)
        throw new TypeError('revokeSession: id must be a non-empty string')
      await accountCall('DELETE', `/auth/sessions/${encodeURIComponent(id)}`)
    },

    async logoutAll() {
      await accountCall('POST', '/auth/logout-all')
      // Every session of the user is revoked at the issuer, this client's two included.
      await Promise.all([main.close(), account.close()])
    },
  }
}
