import type { MiddlewareHandler } from 'hono'
import type { AccessClaims } from '../core/tokens/access-token-verifier.ts'
import { errorDescription, IssuerError } from '../errors.ts'
import { parseBearerToken } from './parse-bearer-token.ts'

/** What a route behind `bearerAuth` finds in `c.get('claims')`. */
export type BearerEnv = { Variables: { claims: AccessClaims } }

export interface BearerAuthOptions {
  /** Checks the token itself; throws IssuerError (401 codes) when it is not acceptable. */
  verify(token: string): Promise<AccessClaims>
  /** Whether the token's own session is still live. */
  isSessionLive(userId: string, sessionId: string): Promise<boolean>
  realm: string
  /**
   * Only tokens issued for this: `scope` holds `scope` and `aud` holds `audience`. Any other
   * token is refused with 403 `insufficient_scope` (RFC 6750 §3.1), naming the scope to ask for.
   */
  requires?: { scope: string; audience: string }
  /**
   * Only tokens from a login (`auth_time`) at most `maxAgeSec` old at `clock()`: changes to
   * sign-in factors. Any other is refused with 401 `insufficient_user_authentication` and the
   * RFC 9470 §3 challenge naming `max_age`.
   */
  recentLogin?: { maxAgeSec: number; clock: () => number }
}

/**
 * Requires a Bearer access token whose session is still live, and sets its claims. Every
 * refusal is thrown for the app's error handler to answer, with the RFC 6750 challenge set.
 */
export function bearerAuth(opts: BearerAuthOptions): MiddlewareHandler<BearerEnv> {
  return async (c, next) => {
    try {
      const claims = await opts.verify(parseBearerToken(c.req.header('authorization')))
      if (opts.requires !== undefined && !issuedFor(claims, opts.requires)) {
        throw new IssuerError(
          'insufficient_scope',
          `This endpoint needs an access token granted the "${opts.requires.scope}" scope.`,
        )
      }
      // These endpoints manage sessions: a token whose own session has ended (logout,
      // logout-all, reuse detected, user disabled) must not list or end the ones that remain.
      if (!(await opts.isSessionLive(claims.sub, claims.sid))) {
        throw new IssuerError('invalid_token', 'The session of this access token has ended. Log in again.', {
          detail: 'session_ended',
        })
      }
      if (opts.recentLogin !== undefined && !recent(claims, opts.recentLogin)) {
        throw new IssuerError(
          'insufficient_user_authentication',
          'This change needs a recent sign-in: sign in again, then retry.',
        )
      }
      c.set('claims', claims)
    } catch (err) {
      // RFC 6750 section 3: no token gets the bare challenge, a rejected one its error too.
      if (err instanceof IssuerError && err.code === 'missing_token') {
        c.header('WWW-Authenticate', `Bearer realm="${opts.realm}"`)
      } else if (err instanceof IssuerError && err.code === 'insufficient_scope' && opts.requires) {
        c.header(
          'WWW-Authenticate',
          `Bearer realm="${opts.realm}", error="insufficient_scope", error_description="${errorDescription(err.message)}", scope="${opts.requires.scope}"`,
        )
      } else if (err instanceof IssuerError && err.code === 'insufficient_user_authentication') {
        c.header(
          'WWW-Authenticate',
          `Bearer realm="${opts.realm}", error="insufficient_user_authentication", error_description="${errorDescription(err.message)}", max_age=${opts.recentLogin?.maxAgeSec ?? 0}`,
        )
      } else if (err instanceof IssuerError && err.status === 401) {
        c.header(
          'WWW-Authenticate',
          `Bearer realm="${opts.realm}", error="invalid_token", error_description="${errorDescription(err.message)}"`,
        )
      }
      throw err
    }
    await next()
  }
}

function issuedFor(claims: AccessClaims, requires: { scope: string; audience: string }): boolean {
  const aud = claims.aud
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : []
  return audiences.includes(requires.audience) && scopes.includes(requires.scope)
}

function recent(claims: AccessClaims, rule: { maxAgeSec: number; clock: () => number }): boolean {
  const authTime = claims.auth_time
  return typeof authTime === 'number' && rule.clock() - authTime * 1000 <= rule.maxAgeSec * 1000
}
