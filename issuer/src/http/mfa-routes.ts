import { Hono } from 'hono'
import { ACCOUNT_SCOPE } from '../core/clients/grant-scope.ts'
import type { Clock } from '../core/clock.ts'
import type { Mfa } from '../core/mfa/create-mfa.ts'
import { listFactors } from '../core/mfa/list-factors.ts'
import type { Records } from '../core/records/records.ts'
import type { AccessTokenVerifier } from '../core/tokens/access-token-verifier.ts'
import { USERS } from '../core/users/user-collection.ts'
import { IssuerError } from '../errors.ts'
import { type BearerEnv, bearerAuth } from './bearer-auth.ts'
import { readJsonBody, stringField } from './read-json-body.ts'

/** How recent the sign-in behind a token must be to change factors (the issue's 5 minutes). */
const RECENT_LOGIN_SEC = 300

/**
 * `/auth/mfa/*` (mount at `/auth`): a user's second factors, read with an account-scoped token,
 * changed only with one from a recent sign-in (RFC 9470 `max_age` challenge otherwise). A change
 * ends the user's other sessions and keeps the token's own (`sid`).
 */
export function createMfaRoutes(deps: {
  mfa: Mfa
  records: Records
  verifier: AccessTokenVerifier
  isSessionLive(userId: string, sessionId: string): Promise<boolean>
  issuerUrl: string
  maxBodyBytes: number
  clock: Clock
}): Hono<BearerEnv> {
  const base = {
    verify: (token: string) => deps.verifier.verify(token),
    isSessionLive: deps.isSessionLive,
    realm: 'tokensmith',
    requires: { scope: ACCOUNT_SCOPE, audience: deps.issuerUrl },
  }
  const readable = bearerAuth(base)
  const changeable = bearerAuth({ ...base, recentLogin: { maxAgeSec: RECENT_LOGIN_SEC, clock: deps.clock } })
  const routes = new Hono<BearerEnv>()
  routes.use(async (c, next) => {
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    await next()
  })

  routes.get('/mfa', readable, async (c) => {
    const f = await listFactors(deps.records, c.get('claims').sub)
    return c.json({
      totp: f.totp !== null && f.totp.confirmedAt !== null,
      passkeys: f.passkeys.map((p) => ({
        id: p.id,
        name: p.name,
        createdAt: p.createdAt,
        lastUsedAt: p.lastUsedAt,
        backedUp: p.backedUp,
      })),
      recoveryCodesLeft: f.recoveryCodesLeft,
    })
  })

  routes.post('/mfa/totp', changeable, async (c) => {
    const user = await deps.records.get(USERS, { id: c.get('claims').sub })
    if (user === null) throw new IssuerError('not_found', 'No such user.')
    return c.json(await deps.mfa.beginTotp(user))
  })

  routes.post('/mfa/totp/confirm', changeable, async (c) => {
    const body = await readJsonBody(c, deps.maxBodyBytes)
    const claims = c.get('claims')
    const otp = stringField(body, 'otp', 16)
    return c.json(await deps.mfa.confirmTotp(claims.sub, otp, { sessionId: claims.sid }))
  })

  routes.delete('/mfa/totp', changeable, async (c) => {
    const claims = c.get('claims')
    if (!(await deps.mfa.removeTotp(claims.sub, { sessionId: claims.sid }))) {
      throw new IssuerError('not_found', 'No authenticator is set up.')
    }
    return c.json({ ok: true })
  })

  routes.post('/mfa/recovery-codes', changeable, async (c) => {
    const claims = c.get('claims')
    return c.json({
      recoveryCodes: await deps.mfa.regenerateRecoveryCodes(claims.sub, { sessionId: claims.sid }),
    })
  })

  return routes
}
