// The browser's side of the authorization code flow: who is signed in at the issuer (the login
// session, OpenID Connect Core §3.1.2.3), whether they must sign in again (`prompt`, `max_age`),
// whether they must consent (§3.1.2.4), and the code that ends the step (RFC 6749 §4.1.2).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { CLIENTS } from '../clients/client-collection.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { LoginStep } from '../login/login-step.ts'
import { listAll } from '../records/list-all.ts'
import type { Store } from '../store.ts'
import { StoreConflictError } from '../store-error.ts'
import type { RandomBytes } from '../tokens/random-source.ts'
import { USERS } from '../users/user-collection.ts'
import {
  AUTHORIZATION_CODE_TTL_SEC,
  hashAuthorizationCode,
  newAuthorizationCode,
} from './authorization-code.ts'
import { AUTHORIZATION_CODES } from './authorization-code-collection.ts'
import {
  type AuthorizationParams,
  type AuthorizationRequest,
  checkAuthorizationRequest,
  type RequestCheck,
} from './check-authorization-request.ts'
import { CONSENTS, type ConsentRecord } from './consent-collection.ts'
import { consentScopeOf } from './consent-scope-of.ts'
import { LOGIN_SESSIONS, type LoginSessionRecord } from './login-session-collection.ts'

export interface AuthorizationConfig {
  loginSessionIdleTtlSec: number
  loginSessionAbsoluteTtlSec: number
}

/** What the authorization endpoint does next for a valid request. */
export type Decision =
  | { kind: 'login' }
  | { kind: 'consent'; session: LoginSessionRecord; username: string }
  | { kind: 'error'; error: 'login_required' | 'consent_required'; description: string }
  | { kind: 'code'; code: string }

export interface Authorization {
  check(params: AuthorizationParams): Promise<RequestCheck>
  /** The live login session the cookie's secret names, its idle expiry slid; null otherwise. */
  loginSession(secret: string | undefined): Promise<LoginSessionRecord | null>
  /**
   * The login session `id` when the cookie's secret is its own and it has not been ended, live or
   * past an expiry: proof that this browser signed in there (for RP-initiated logout, whose ID
   * token names the login session by `sid`).
   */
  heldLoginSession(secret: string | undefined, id: string): Promise<LoginSessionRecord | null>
  /**
   * A login step passed on the hosted pages (`stepId`: the password's is `password`, with the check
   * of `/auth/login`), then a new login session recording its `amr`. Throws the step's refusal.
   */
  signIn(stepId: string, input: unknown): Promise<{ secret: string; session: LoginSessionRecord }>
  /**
   * `freshLogin`: the user signed in during this interaction (prompt=login and max_age are met).
   * `consented`: the user just allowed the request on the consent page.
   */
  decide(
    request: AuthorizationRequest,
    session: LoginSessionRecord | null,
    opts: { freshLogin: boolean; consented: boolean },
  ): Promise<Decision>
  /** Remembers the user's consent to the request's scopes (added to what they allowed before). */
  rememberConsent(request: AuthorizationRequest, userId: string): Promise<void>
  /** Ends the login session and revokes every session its codes started; answers how many. */
  signOut(loginSessionId: string): Promise<number>
  listConsents(userId: string): Promise<ConsentRecord[]>
  /** Forgets the consent and ends the user's sessions at that client; false when there was none. */
  revokeConsent(userId: string, clientId: string): Promise<boolean>
}

const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex')

export function createAuthorization(deps: {
  store: Store
  /** The login steps the hosted pages offer, the password first. */
  steps: readonly LoginStep[]
  clock: Clock
  logger: Logger
  config: AuthorizationConfig
  random?: RandomBytes
}): Authorization {
  const { store, clock, logger, config } = deps
  const random = deps.random ?? randomBytes

  async function issueCode(request: AuthorizationRequest, session: LoginSessionRecord): Promise<string> {
    const now = clock()
    const code = newAuthorizationCode(random)
    await store.records.insert(AUTHORIZATION_CODES, {
      hash: hashAuthorizationCode(code),
      clientId: request.client.id,
      userId: session.userId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      scope: request.scope,
      claims: request.claims,
      nonce: request.nonce,
      loginSessionId: session.id,
      authTime: session.authTime,
      amr: session.amr,
      // The classes this request asked for; filled by the authorize side's step-up (issue 21).
      acrValues: [],
      createdAt: now,
      expiresAt: now + AUTHORIZATION_CODE_TTL_SEC * 1000,
      consumedAt: null,
      sessionId: null,
    })
    logger.info('authorization_code_issued', { userId: session.userId, clientId: request.client.id })
    return code
  }

  async function consentCovers(request: AuthorizationRequest, userId: string): Promise<boolean> {
    if (request.client.firstParty) return true
    const consent = await store.records.get(CONSENTS, { userId, clientId: request.client.id })
    return consent !== null && consentScopeOf(request).every((s) => consent.scope.includes(s))
  }

  async function signOut(loginSessionId: string): Promise<number> {
    const now = clock()
    const sessionIds = await store.endLoginSession(loginSessionId, now)
    let revoked = 0
    for (const id of sessionIds) if (await store.revokeSession(id, 'logout', now)) revoked++
    logger.info('login_session_ended', { loginSessionId, sessions: revoked })
    return revoked
  }

  return {
    check: (params) => checkAuthorizationRequest(params, (id) => store.records.get(CLIENTS, { id })),

    async loginSession(secret) {
      if (secret === undefined || !SECRET_SHAPE.test(secret)) return null
      const now = clock()
      const found = await store.records.findBy(LOGIN_SESSIONS, 'secretHash', hashSecret(secret))
      const live =
        found !== null && found.endedAt === null && found.idleExpiresAt > now && found.absoluteExpiresAt > now
      if (!live) return null
      // Slid only while it has not ended: a sign-out racing this request wins.
      const idleExpiresAt = Math.min(now + config.loginSessionIdleTtlSec * 1000, found.absoluteExpiresAt)
      return store.records.update(
        LOGIN_SESSIONS,
        { id: found.id },
        { lastSeenAt: now, idleExpiresAt },
        { endedAt: null },
      )
    },

    async heldLoginSession(secret, id) {
      if (secret === undefined || !SECRET_SHAPE.test(secret)) return null
      const session = await store.records.get(LOGIN_SESSIONS, { id })
      if (session === null || session.endedAt !== null) return null
      const presented = Buffer.from(hashSecret(secret), 'hex')
      const stored = Buffer.from(session.secretHash, 'hex')
      return presented.length === stored.length && timingSafeEqual(presented, stored) ? session : null
    },

    async signIn(stepId, input) {
      const step = deps.steps.find((s) => s.id === stepId)
      if (step === undefined) throw new Error(`no login step "${stepId}"`)
      const user = await step.check(input)
      const now = clock()
      const secret = random(32).toString('base64url')
      const absoluteExpiresAt = now + config.loginSessionAbsoluteTtlSec * 1000
      const session: LoginSessionRecord = {
        id: randomUUID(),
        secretHash: hashSecret(secret),
        userId: user.id,
        authTime: now,
        amr: [...step.amr],
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: Math.min(now + config.loginSessionIdleTtlSec * 1000, absoluteExpiresAt),
        absoluteExpiresAt,
        endedAt: null,
      }
      await store.records.insert(LOGIN_SESSIONS, session)
      logger.info('login_session_started', { userId: user.id, loginSessionId: session.id })
      return { secret, session }
    },

    async decide(request, session, opts) {
      const user = session === null ? null : await store.records.get(USERS, { id: session.userId })
      const signedIn = session !== null && user !== null && !user.disabled
      const now = clock()
      const tooOld =
        session !== null && request.maxAgeSec !== null && now - session.authTime > request.maxAgeSec * 1000
      const mustLogin = !signedIn || (!opts.freshLogin && (request.prompt.has('login') || tooOld))
      if (mustLogin) {
        if (request.prompt.has('none')) {
          return { kind: 'error', error: 'login_required', description: 'The user is not signed in.' }
        }
        return { kind: 'login' }
      }
      const live = session as LoginSessionRecord
      const username = user?.username ?? ''
      const mustConsent =
        !opts.consented &&
        (!(await consentCovers(request, live.userId)) ||
          (request.prompt.has('consent') && !request.client.firstParty))
      if (mustConsent) {
        if (request.prompt.has('none')) {
          return { kind: 'error', error: 'consent_required', description: 'The user has not consented.' }
        }
        return { kind: 'consent', session: live, username }
      }
      return { kind: 'code', code: await issueCode(request, live) }
    },

    async rememberConsent(request, userId) {
      const key = { userId, clientId: request.client.id }
      const before = await store.records.get(CONSENTS, key)
      const scope = [...new Set([...(before?.scope ?? []), ...consentScopeOf(request)])]
      const granted = { scope, grantedAt: clock() }
      if (before !== null) await store.records.update(CONSENTS, key, granted)
      else {
        try {
          await store.records.insert(CONSENTS, { ...key, ...granted })
        } catch (err) {
          // The same user allowed it in another tab meanwhile: the later answer stands.
          if (!(err instanceof StoreConflictError)) throw err
          await store.records.update(CONSENTS, key, granted)
        }
      }
      logger.info('consent_granted', { userId, clientId: request.client.id })
    },

    signOut,

    listConsents: (userId) => listAll(store.records, CONSENTS, { where: { field: 'userId', value: userId } }),

    async revokeConsent(userId, clientId) {
      if (!(await store.records.delete(CONSENTS, { userId, clientId }))) return false
      const now = clock()
      for (const s of await store.listSessions(userId, now)) {
        if (s.clientId === clientId) await store.revokeSession(s.id, 'consent_revoked', now)
      }
      logger.info('consent_revoked', { userId, clientId })
      return true
    },
  }
}
