import { TokenClientError } from '../errors.ts'
import { isHttpUrl } from '../is-http-url.ts'

/** Options of `createTokenClient`. */
export interface TokenClientOptions {
  /** Base URL of the tokensmith issuer (its /auth/login, /auth/refresh, /auth/logout). */
  readonly issuer: string
  /** Fetch implementation, for the issuer and the APIs [globalThis.fetch]. */
  readonly fetch?: typeof globalThis.fetch
  /** Clock in milliseconds [Date.now]. */
  readonly clock?: () => number
  /** Refresh ahead when the access token expires within this many seconds [5]. */
  readonly refreshSkewSec?: number
  /**
   * Called once when the session ends for good: the issuer refused the refresh token with a 401
   * (`reuse_detected`, `invalid_token`, ...). The reason is the issuer's code.
   */
  readonly onSessionEnded?: (reason: string) => void
}

export interface TokenClient {
  /** Logs in and keeps the tokens. Throws TokenClientError with the issuer's code on refusal. */
  login(username: string, password: string): Promise<void>
  /**
   * fetch() with `Authorization: Bearer <access token>`. Refreshes ahead when the token is known
   * to be expired, and once after a 401 `token_expired` (then retries; a ReadableStream body is
   * not replayed). Concurrent callers share one refresh. Throws TokenClientError when the session
   * has ended. Attach it only to services that trust this issuer: the bearer goes to `input`.
   */
  fetch(input: string | URL, init?: RequestInit): Promise<Response>
  /** Revokes the session at the issuer and forgets the tokens. */
  logout(): Promise<void>
  /** Whether the client holds a session. */
  isLoggedIn(): boolean
}

interface Session {
  readonly accessToken: string
  readonly refreshToken: string
  readonly expiresAt: number
}

async function errorOf(response: Response): Promise<TokenClientError> {
  let code = `http_${response.status}`
  let message = `The issuer answered HTTP ${response.status}.`
  try {
    const body = (await response.json()) as { code?: unknown; error?: unknown }
    if (typeof body.code === 'string') code = body.code
    if (typeof body.error === 'string') message = body.error
  } catch {
    // not JSON: keep the generic code
  }
  return new TokenClientError(code, response.status, message)
}

async function codeOf(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { code?: unknown }
    return typeof body.code === 'string' ? body.code : undefined
  } catch {
    return undefined
  }
}

function noop(): void {}

/** A client that logs in at the issuer, keeps the tokens and calls APIs with the bearer. */
export function createTokenClient(options: TokenClientOptions): TokenClient {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createTokenClient: options must be an object')
  const { issuer, fetch: fetchOption, clock = Date.now, refreshSkewSec = 5, onSessionEnded = noop } = options
  if (!isHttpUrl(issuer)) throw new TypeError('createTokenClient: option "issuer" must be an http(s) URL')
  if (fetchOption !== undefined && typeof fetchOption !== 'function') {
    throw new TypeError('createTokenClient: option "fetch" must be a function')
  }
  if (typeof clock !== 'function') throw new TypeError('createTokenClient: option "clock" must be a function')
  if (typeof onSessionEnded !== 'function') {
    throw new TypeError('createTokenClient: option "onSessionEnded" must be a function')
  }
  if (typeof refreshSkewSec !== 'number' || !(refreshSkewSec >= 0 && refreshSkewSec <= 3600)) {
    throw new TypeError('createTokenClient: option "refreshSkewSec" must be a number from 0 to 3600')
  }
  const doFetch: typeof globalThis.fetch = fetchOption ?? ((input, init) => globalThis.fetch(input, init))
  const base = issuer.replace(/\/+$/, '')
  const skewMs = refreshSkewSec * 1000

  let session: Session | undefined
  let refreshing: Promise<void> | undefined

  function post(path: string, body: unknown): Promise<Response> {
    return doFetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    })
  }

  async function adopt(response: Response): Promise<void> {
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
    const { accessToken, refreshToken, expiresIn } = body ?? {}
    if (
      typeof accessToken !== 'string' ||
      typeof refreshToken !== 'string' ||
      typeof expiresIn !== 'number' ||
      !(expiresIn > 0)
    ) {
      throw new TokenClientError(
        'invalid_response',
        response.status,
        'The issuer answered an unexpected body.',
      )
    }
    session = { accessToken, refreshToken, expiresAt: clock() + expiresIn * 1000 }
  }

  async function refreshOnce(current: Session): Promise<void> {
    const response = await post('/auth/refresh', { refreshToken: current.refreshToken })
    if (response.ok) return adopt(response)
    const error = await errorOf(response)
    if (response.status === 401) {
      // Refused for good (reused, revoked, expired family): this session is over.
      if (session === current) session = undefined
      onSessionEnded(error.code)
    }
    throw error
  }

  /** Single flight: all callers during a refresh share it. */
  function refresh(): Promise<void> {
    const current = session
    if (current === undefined) {
      return Promise.reject(new TokenClientError('not_logged_in', 401, 'The client has no session.'))
    }
    refreshing ??= refreshOnce(current).finally(() => {
      refreshing = undefined
    })
    return refreshing
  }

  function send(
    input: string | URL,
    init: RequestInit | undefined,
    token: string | undefined,
  ): Promise<Response> {
    const headers = new Headers(init?.headers)
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`)
    return doFetch(input, { ...init, headers })
  }

  return {
    async login(username, password) {
      if (typeof username !== 'string' || typeof password !== 'string') {
        throw new TypeError('login: username and password must be strings')
      }
      const response = await post('/auth/login', { username, password })
      if (!response.ok) throw await errorOf(response)
      await adopt(response)
    },

    async fetch(input, init) {
      if (refreshing !== undefined) await refreshing
      else if (session !== undefined && clock() >= session.expiresAt - skewMs) await refresh()
      const used = session?.accessToken
      const response = await send(input, init, used)
      if (response.status !== 401 || used === undefined || init?.body instanceof ReadableStream)
        return response
      if ((await codeOf(response)) !== 'token_expired') return response
      // Someone may have refreshed meanwhile: only refresh if we still hold the token that failed.
      if (session?.accessToken === used) await refresh()
      else if (refreshing !== undefined) await refreshing
      await response.body?.cancel()
      if (session === undefined) throw new TokenClientError('not_logged_in', 401, 'The session has ended.')
      return send(input, init, session.accessToken)
    },

    async logout() {
      if (refreshing !== undefined) await refreshing.catch(noop)
      const current = session
      session = undefined
      if (current === undefined) return
      const response = await post('/auth/logout', { refreshToken: current.refreshToken })
      // 401: the token was already dead, which is what logout wants.
      if (!response.ok && response.status !== 401) throw await errorOf(response)
      await response.body?.cancel()
    },

    isLoggedIn: () => session !== undefined,
  }
}
