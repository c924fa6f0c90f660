import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import { type Context, Hono } from 'hono'
import { ACCOUNT_SCOPE } from '../core/clients/grant-scope.ts'
import type { Clock } from '../core/clock.ts'
import type { PasskeyLogin } from '../core/passkeys/create-passkey-login.ts'
import type { Passkeys } from '../core/passkeys/create-passkeys.ts'
import type { PasskeyRecord } from '../core/passkeys/passkey-collection.ts'
import type { Store } from '../core/store.ts'
import type { AccessTokenVerifier } from '../core/tokens/access-token-verifier.ts'
import type { UserRecord } from '../core/users/user-collection.ts'
import { IssuerError } from '../errors.ts'
import { type BearerEnv, bearerAuth } from './bearer-auth.ts'
import { isCredentialJson } from './credential-json.ts'
import { optionalStringField, readJsonBody, stringField } from './read-json-body.ts'

export interface PasskeyRoutesDeps {
  passkeys: Passkeys
  login: PasskeyLogin
  /** The user of a live `mfaToken` (a sign-in waiting for its second step), or null. */
  ticketUser(mfaToken: string): Promise<string | null>
  /** The account the Bearer token names (null: gone). */
  user(userId: string): Promise<UserRecord | null>
  verifier: AccessTokenVerifier
  isSessionLive(userId: string, sessionId: string): Promise<boolean>
  issuerUrl: string
  maxBodyBytes: number
  clientAddress: (c: Context) => string | null
  clock: Clock
  /** The store's counters: unauthenticated sign-in options are limited per address. */
  counters: Pick<Store, 'hitCounters'>
}

/** Sign-in options a client address may ask for per minute: each stores a challenge. */
const LOGIN_OPTIONS_PER_MINUTE = 60

// A WebAuthn response (attestation, client data, extensions) is larger than the API's other bodies.
const MIN_BODY_BYTES = 32768
// Changes to a user's factors need a sign-in this recent (issue 21: 5 minutes).
const RECENT_LOGIN_SEC = 300

/** What the API shows of a passkey: never its public key or counter. */
function passkeyView(p: PasskeyRecord) {
  return { id: p.id, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt, backedUp: p.backedUp }
}

/** A field holding the browser's `PublicKeyCredential.toJSON()`: a JSON object with an `id`. */
function credentialField<T>(body: Record<string, unknown>, name: string): T {
  const value = body[name]
  if (!isCredentialJson(value)) {
    throw new IssuerError('invalid_request', `The field "${name}" must be the credential's JSON object.`)
  }
  return value as T
}

/**
 * Passkeys on the JSON API (mount at `/auth`): passkey-only sign-in (`/passkeys/login*`), the
 * options of a second step (`/login/mfa/passkey-options`), and managing one's passkeys
 * (`/mfa/passkeys*`) with an account-audience token from a recent sign-in.
 */
export function createPasskeyRoutes(deps: PasskeyRoutesDeps): Hono<BearerEnv> {
  const { passkeys } = deps
  const maxBytes = Math.max(deps.maxBodyBytes, MIN_BODY_BYTES)
  const bearer = {
    verify: (token: string) => deps.verifier.verify(token),
    isSessionLive: deps.isSessionLive,
    realm: 'tokensmith',
    requires: { scope: ACCOUNT_SCOPE, audience: deps.issuerUrl },
  }
  const requireBearer = bearerAuth(bearer)
  const requireRecentLogin = bearerAuth({
    ...bearer,
    recentLogin: { maxAgeSec: RECENT_LOGIN_SEC, clock: deps.clock },
  })
  const routes = new Hono<BearerEnv>()
  routes.use('/passkeys/*', noStore)
  routes.use('/login/mfa/passkey-options', noStore)
  routes.use('/mfa/passkeys', noStore)
  routes.use('/mfa/passkeys/*', noStore)

  routes.post('/passkeys/login/options', async (c) => {
    // Anyone may ask, and each answer stores a challenge for 5 minutes: bounded per address.
    const now = deps.clock()
    const [hits] = await deps.counters.hitCounters(
      [`passkey-options:address:${deps.clientAddress(c) ?? 'unknown'}`],
      now,
      60_000,
    )
    if (hits !== undefined && hits.count > LOGIN_OPTIONS_PER_MINUTE) {
      throw new IssuerError('rate_limited', 'Too many passkey sign-ins from this address. Try again later.', {
        retryAfterSec: Math.max(1, Math.ceil((hits.resetAt - now) / 1000)),
      })
    }
    return c.json(await passkeys.authenticationOptions(null))
  })

  routes.post('/passkeys/login', async (c) => {
    const body = await readJsonBody(c, maxBytes)
    const pair = await deps.login.login({
      challengeId: stringField(body, 'challengeId', 64),
      response: credentialField<AuthenticationResponseJSON>(body, 'response'),
      clientId: optionalStringField(body, 'clientId', 128),
      scope: optionalStringField(body, 'scope', 1024),
      clientIp: deps.clientAddress(c),
      userAgent: c.req.header('user-agent') ?? null,
    })
    return c.json({
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
      expiresIn: pair.expiresIn,
      tokenType: pair.tokenType,
    })
  })

  routes.post('/login/mfa/passkey-options', async (c) => {
    const body = await readJsonBody(c, deps.maxBodyBytes)
    const userId = await deps.ticketUser(stringField(body, 'mfaToken', 256))
    if (userId === null) {
      throw new IssuerError('invalid_mfa_token', 'The sign-in has expired or is finished: sign in again.')
    }
    return c.json(await passkeys.authenticationOptions(userId))
  })

  const accountUser = async (c: Context<BearerEnv>): Promise<UserRecord> => {
    const user = await deps.user(c.get('claims').sub)
    if (user === null) throw new IssuerError('not_found', 'No such account.')
    return user
  }
  const keepOf = (c: Context<BearerEnv>) => ({ sessionId: c.get('claims').sid, loginSessionId: null })
  const idParam = (c: Context<BearerEnv>) => c.req.param('id') ?? ''

  routes.get('/mfa/passkeys', requireBearer, async (c) => {
    const list = await passkeys.list(c.get('claims').sub)
    return c.json({ passkeys: list.map(passkeyView) })
  })

  routes.post('/mfa/passkeys/options', requireRecentLogin, async (c) =>
    c.json(await passkeys.registrationOptions(await accountUser(c))),
  )

  routes.post('/mfa/passkeys', requireRecentLogin, async (c) => {
    const body = await readJsonBody(c, maxBytes)
    const input = {
      challengeId: stringField(body, 'challengeId', 64),
      response: credentialField<RegistrationResponseJSON>(body, 'response'),
      name: stringField(body, 'name', 256),
    }
    const passkey = await passkeys.register((await accountUser(c)).id, input, keepOf(c))
    return c.json({ passkey: passkeyView(passkey) }, 201)
  })

  routes.patch('/mfa/passkeys/:id', requireRecentLogin, async (c) => {
    const body = await readJsonBody(c, deps.maxBodyBytes)
    if (!(await passkeys.rename(c.get('claims').sub, idParam(c), stringField(body, 'name', 256)))) {
      throw new IssuerError('not_found', 'No passkey with that id.')
    }
    return c.json({ ok: true })
  })

  routes.delete('/mfa/passkeys/:id', requireRecentLogin, async (c) => {
    if (!(await passkeys.remove(c.get('claims').sub, idParam(c), keepOf(c)))) {
      throw new IssuerError('not_found', 'No passkey with that id.')
    }
    return c.json({ ok: true })
  })

  return routes
}

/** Options carry a challenge and answers carry tokens: never cached. */
async function noStore(c: Context, next: () => Promise<void>): Promise<void> {
  c.header('Cache-Control', 'no-store')
  c.header('Pragma', 'no-cache')
  await next()
}
