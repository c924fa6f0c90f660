import { TokenClientError } from '../errors.ts'
import type { BearerSource } from './bearer-fetch.ts'
import { renewalTime } from './renewal-time.ts'
import type { SessionApi } from './session-api.ts'
import type { TokenSet } from './token-set.ts'

/** One live session of the client: its tokens, and the surface it was opened through. */
export interface Session {
  readonly accessToken: string
  readonly refreshToken: string
  /** When to refresh ahead (its expiry less the skew). */
  readonly renewAt: number
  readonly api: SessionApi
}

/** A place for one session, refreshed by a single flight; the bearer source of its calls. */
export interface SessionSlot extends BearerSource {
  readonly session: Session | undefined
  /** Holds the session a login opened; `obtainedAt` is when it was asked for. */
  open(api: SessionApi, tokens: TokenSet, obtainedAt: number): void
  /** Forgets the session, once any refresh under way has settled; returns it, if there was one. */
  close(): Promise<Session | undefined>
}

export interface SessionSlotOptions {
  readonly clock: () => number
  readonly skewMs: number
  /** What the caller is told when there is no session (not_logged_in, no_account_session). */
  readonly noSession: () => TokenClientError
  /** The issuer refused the refresh token for good: the session is over (it is forgotten first). */
  readonly onEnded: (session: Session, error: TokenClientError) => void
}

export function createSessionSlot(options: SessionSlotOptions): SessionSlot {
  const { clock, skewMs } = options
  let session: Session | undefined
  let refreshing: Promise<void> | undefined

  function open(api: SessionApi, tokens: TokenSet, obtainedAt: number, previous?: Session): void {
    const refreshToken = tokens.refreshToken ?? previous?.refreshToken
    if (refreshToken === undefined)
      throw new TokenClientError('invalid_response', 200, 'The issuer sent no refresh token.')
    session = {
      accessToken: tokens.accessToken,
      refreshToken,
      renewAt: renewalTime(obtainedAt, tokens.expiresInSec, skewMs),
      api,
    }
  }

  async function refreshOnce(current: Session): Promise<void> {
    const startedAt = clock()
    try {
      const tokens = await current.api.refresh(current.refreshToken)
      if (session === current) open(current.api, tokens, startedAt, current)
    } catch (error) {
      if (error instanceof TokenClientError && current.api.endsSession(error) && session === current) {
        // Refused for good (reused, revoked, expired family): this session is over.
        session = undefined
        options.onEnded(current, error)
      }
      throw error
    }
  }

  /** Single flight: all callers during a refresh share it. */
  function refresh(): Promise<void> {
    const current = session
    if (current === undefined) return Promise.reject(options.noSession())
    refreshing ??= refreshOnce(current).finally(() => {
      refreshing = undefined
    })
    return refreshing
  }

  return {
    get session() {
      return session
    },
    open: (api, tokens, obtainedAt) => open(api, tokens, obtainedAt),
    async close() {
      if (refreshing !== undefined) await refreshing.catch(() => {})
      const closed = session
      session = undefined
      return closed
    },
    async token() {
      if (refreshing !== undefined) await refreshing
      else if (session !== undefined && clock() >= session.renewAt) await refresh()
      return session?.accessToken
    },
    async renew(failed) {
      // Someone may have refreshed meanwhile: only refresh if we still hold the token that failed.
      if (session?.accessToken === failed) await refresh()
      else if (refreshing !== undefined) await refreshing
      if (session === undefined) throw options.noSession()
      return session.accessToken
    },
  }
}
