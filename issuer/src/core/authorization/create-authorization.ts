// The browser's side of the authorization code flow: who is signed in at the issuer (the login
// session, OpenID Connect Core §3.1.2.3), whether they must sign in again (`prompt`, `max_age`),
// whether they must consent (§3.1.2.4), and the code that ends the step (RFC 6749 §4.1.2).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { IssuerError } from '../../errors.ts'
import { CLIENTS } from '../clients/client-collection.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { LoginTickets } from '../login/create-login-tickets.ts'
import type { LoginStep } from '../login/login-step.ts'
import type { Mfa, SecondFactor } from '../mfa/create-mfa.ts'
import { listAll } from '../records/list-all.ts'
import type { Store } from '../store.ts'
import { StoreConflictError } from '../store-error.ts'
import type { RandomBytes } from '../tokens/random-source.ts'
import { USERS, type UserRecord } from '../users/user-collection.ts'
import { acrMet, combineAmr, OTP_AMR, PASSKEY_AMR, PASSWORD_AMR } from './acr-values.ts'
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

/** What sign-in needs of the user's second factors and the policy (core/mfa). */
export type LoginFactors = Pick<Mfa, 'secondFactors' | 'required' | 'beginTotp' | 'confirmTotp'>

/** Sign-ins half done: the first step passed (core/login/create-login-tickets.ts). */
export type HalfDoneSignIns = Pick<LoginTickets, 'issue' | 'open' | 'finish'>

/**
 * What a sign-in is for: an authorization request (its `acr` request and client), or the
 * issuer's own account pages (no client, no `acr` request).
 */
export type SignInFor = { client: ClientRecord | null; acr: AuthorizationRequest['acr'] }

/** The hosted pages' next page when a sign-in needs one more step. */
export type NextStep =
  /** A second factor (after the password, or a step-up of a login session). */
  | { kind: 'second-step'; ticket: string; factors: SecondFactor[]; user: UserRecord }
  /** The user must have a second factor and has none: enrol one now (TOTP). */
  | { kind: 'enrol'; ticket: string; user: UserRecord }

/** What the authorization endpoint does next for a valid request. */
export type Decision =
  | { kind: 'login' }
  | NextStep
  | { kind: 'consent'; session: LoginSessionRecord; username: string }
  | {
      kind: 'error'
      error:
        | 'login_required'
        | 'consent_required'
        | 'interaction_required'
        | 'unmet_authentication_requirements'
      description: string
    }
  | { kind: 'code'; code: string }

/** OpenID Connect Unmet Authentication Requirements 1.0 §2: nothing the user has meets the request. */
export type Unmet = { kind: 'error'; error: 'unmet_authentication_requirements'; description: string }

/** The hosted pages after a step: signed in (a login session), or one more step to show. */
export type SignInResult =
  | { kind: 'signed-in'; secret: string | null; session: LoginSessionRecord }
  | NextStep
  | Unmet

export interface Authorization {
  check(params: AuthorizationParams): Promise<RequestCheck>
  /** Whether the login step `stepId` is configured (`passkey`: the hosted pages offer passkeys). */
  offers(stepId: string): boolean
  /** The live login session the cookie's secret names, its idle expiry slid; null otherwise. */
  loginSession(secret: string | undefined): Promise<LoginSessionRecord | null>
  /**
   * The login session `id` when the cookie's secret is its own and it has not been ended, live or
   * past an expiry: proof that this browser signed in there (for RP-initiated logout, whose ID
   * token names the login session by `sid`).
   */
  heldLoginSession(secret: string | undefined, id: string): Promise<LoginSessionRecord | null>
  /**
   * A first login step passed on the hosted pages (`password`, with the check of `/auth/login`,
   * or `passkey`): the browser's login session of that user renewed with the step's `amr`, or a
   * new one; or the next step the user or the request needs first (a second factor, enrolment).
   * Throws the step's refusal.
   */
  signIn(
    stepId: string,
    input: unknown,
    request: SignInFor,
    currentSecret: string | undefined,
  ): Promise<SignInResult>
  /**
   * The next step of a half-done sign-in (`ticket`): the step's check for the ticket's user, then
   * the browser's login session of that user raised (a step-up: `amr` and `auth_time`), or a new
   * one. Throws the step's refusal; `invalid_mfa_token` when the ticket is used or expired.
   */
  continueSignIn(
    ticket: string,
    stepId: string,
    input: Record<string, unknown>,
    request: SignInFor,
    currentSecret: string | undefined,
  ): Promise<SignInResult>
  /**
   * A fresh check of the signed-in user before a change to how they sign in (the account pages):
   * the step (`password-recheck`, or `passkey` with the user's own passkeys) must prove the login
   * session's own user; then its `auth_time` is now. Throws the step's refusal.
   */
  reauthenticate(
    stepId: 'password-recheck' | 'passkey',
    input: Record<string, unknown>,
    currentSecret: string | undefined,
  ): Promise<LoginSessionRecord>
  /** The TOTP enrolment a sign-in needs (the `enrol` page): secret, URI and QR code. */
  beginEnrolment(ticket: string): Promise<{ secret: string; otpauthUri: string; qrSvg: string }>
  /** Confirms that enrolment with a first code and signs in: also the recovery codes to show once. */
  finishEnrolment(
    ticket: string,
    otp: string,
    currentSecret: string | undefined,
  ): Promise<{ secret: string | null; session: LoginSessionRecord; recoveryCodes: string[] | null }>
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
  /** Second factors and the policy; absent: nobody has any (a password is the whole sign-in). */
  factors?: LoginFactors
  tickets?: HalfDoneSignIns
  clock: Clock
  logger: Logger
  config: AuthorizationConfig
  random?: RandomBytes
}): Authorization {
  const { store, clock, logger, config } = deps
  const random = deps.random ?? randomBytes
  const factors: LoginFactors = deps.factors ?? {
    secondFactors: async () => [],
    required: () => false,
    beginTotp: () => Promise.reject(new Error('no second factors configured')),
    confirmTotp: () => Promise.reject(new Error('no second factors configured')),
  }
  const tickets = deps.tickets

  const expiredTicket = () =>
    new IssuerError('invalid_mfa_token', 'This sign-in has expired or was already finished. Start again.')

  function stepOf(stepId: string): LoginStep {
    const step = deps.steps.find((s) => s.id === stepId)
    if (step === undefined) throw new IssuerError('invalid_request', 'This way to sign in is not offered.')
    return step
  }

  /**
   * Whether a login that asserted `amr` must pass one more step for this request: the classes
   * it asks for (`acr`), the policy, and, right after a first step (`fresh`), any second factor
   * the user has (an account with a factor always uses it). Null: it may go on as it is.
   */
  async function nextStepFor(
    request: SignInFor,
    user: UserRecord,
    loginAmr: readonly string[],
    fresh: boolean,
  ): Promise<NextStep | Unmet | null> {
    const amr = loginAmr.length === 0 ? PASSWORD_AMR : loginAmr
    const wanted = request.acr?.values ?? []
    const essential = request.acr?.essential === true
    if (essential && wanted.length === 0) return unmet()
    const acrShort = wanted.length > 0 && !wanted.some((v) => acrMet(amr, v))
    // The user's factors, read at most once, and only when a question below needs them.
    let owned: Promise<SecondFactor[]> | undefined
    const ownedFactors = () => {
      owned ??= factors.secondFactors(user.id)
      return owned
    }
    const available = amr.includes('mfa') ? [] : await ownedFactors()
    const mfaWanted =
      !amr.includes('mfa') && (factors.required(user, request.client) || (fresh && available.length > 0))
    if (!acrShort && !mfaWanted) return null
    const reached = (f: SecondFactor) => combineAmr(amr, f === 'passkey' ? PASSKEY_AMR : OTP_AMR)
    const fits = (f: SecondFactor, meetAcr: boolean) => {
      const after = reached(f)
      return (!meetAcr || wanted.some((v) => acrMet(after, v))) && (!mfaWanted || after.includes('mfa'))
    }
    let useful = (acrShort ? await ownedFactors() : available).filter((f) => fits(f, acrShort))
    // acr_values are voluntary (OpenID Connect Core §3.1.2.1): when no factor reaches the classes
    // asked for, the second step the policy or the account needs is still asked, not refused.
    if (useful.length === 0 && acrShort && !essential && mfaWanted) {
      useful = available.filter((f) => fits(f, false))
    }
    if (tickets === undefined) return essential || mfaWanted ? unmet() : null
    const ticket = (purpose: 'second-step' | 'enrol') =>
      tickets.issue({ userId: user.id, amr, purpose, clientId: null, scope: [] })
    if (useful.length > 0) {
      return { kind: 'second-step', ticket: await ticket('second-step'), factors: useful, user }
    }
    const hasAny = (await ownedFactors()).length > 0
    // TOTP enrolment meets the policy and a request for more than one factor, not a passkey's.
    const enrolHelps = !hasAny && (!acrShort || wanted.some((v) => acrMet(reached('otp'), v)))
    if (enrolHelps && (mfaWanted || essential)) return { kind: 'enrol', ticket: await ticket('enrol'), user }
    if (essential || mfaWanted) return unmet()
    return null
  }

  function unmet(): Unmet {
    return {
      kind: 'error',
      error: 'unmet_authentication_requirements',
      description: 'The sign-in cannot meet the authentication the request requires.',
    }
  }

  async function startLoginSession(
    user: UserRecord,
    amr: readonly string[],
  ): Promise<{ secret: string; session: LoginSessionRecord }> {
    const now = clock()
    const secret = random(32).toString('base64url')
    const absoluteExpiresAt = now + config.loginSessionAbsoluteTtlSec * 1000
    const session: LoginSessionRecord = {
      id: randomUUID(),
      secretHash: hashSecret(secret),
      userId: user.id,
      authTime: now,
      amr: [...amr],
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: Math.min(now + config.loginSessionIdleTtlSec * 1000, absoluteExpiresAt),
      absoluteExpiresAt,
      endedAt: null,
    }
    await store.records.insert(LOGIN_SESSIONS, session)
    logger.info('login_session_started', {
      userId: user.id,
      loginSessionId: session.id,
      amr: session.amr.join(' '),
    })
    return { secret, session }
  }

  /**
   * The browser's own live login session of `user` renewed (`amr` of the steps just passed, which
   * for a step-up include the session's own, and `auth_time` now), or a new one.
   */
  async function signedInWith(
    user: UserRecord,
    amr: readonly string[],
    currentSecret: string | undefined,
  ): Promise<{ secret: string | null; session: LoginSessionRecord }> {
    const current = await liveLoginSession(currentSecret)
    if (current !== null && current.userId === user.id) {
      const raised = await store.records.update(
        LOGIN_SESSIONS,
        { id: current.id },
        { amr: [...amr], authTime: clock() },
        { endedAt: null },
      )
      if (raised !== null) {
        logger.info('login_session_stepped_up', {
          userId: user.id,
          loginSessionId: raised.id,
          amr: raised.amr.join(' '),
        })
        return { secret: null, session: raised }
      }
    }
    return startLoginSession(user, amr)
  }

  /**
   * The live ticket of the hosted pages (no client: the JSON API's finish there), issued for
   * `purpose`: a second step's ticket never enrols a factor, an enrolment's never passes one.
   */
  async function openTicket(ticket: string, purpose: 'second-step' | 'enrol') {
    const open = tickets === undefined ? null : await tickets.open(ticket)
    if (open === null || open.clientId !== null || (open.purpose ?? 'second-step') !== purpose) {
      throw expiredTicket()
    }
    return open
  }

  async function userOf(userId: string): Promise<UserRecord> {
    const user = await store.records.get(USERS, { id: userId })
    if (user === null || user.disabled) throw new IssuerError('user_disabled', 'This account is disabled.')
    return user
  }

  async function liveLoginSession(secret: string | undefined): Promise<LoginSessionRecord | null> {
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
  }

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
      acrValues: request.acr?.values ?? [],
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
    offers: (stepId) => deps.steps.some((s) => s.id === stepId),

    check: (params) => checkAuthorizationRequest(params, (id) => store.records.get(CLIENTS, { id })),

    loginSession: liveLoginSession,

    async heldLoginSession(secret, id) {
      if (secret === undefined || !SECRET_SHAPE.test(secret)) return null
      const session = await store.records.get(LOGIN_SESSIONS, { id })
      if (session === null || session.endedAt !== null) return null
      const presented = Buffer.from(hashSecret(secret), 'hex')
      const stored = Buffer.from(session.secretHash, 'hex')
      return presented.length === stored.length && timingSafeEqual(presented, stored) ? session : null
    },

    async signIn(stepId, input, request, currentSecret) {
      const step = stepOf(stepId)
      const user = await step.check(input)
      const next = await nextStepFor(request, user, step.amr, true)
      if (next !== null) return next
      return { kind: 'signed-in', ...(await signedInWith(user, step.amr, currentSecret)) }
    },

    async continueSignIn(ticket, stepId, input, request, currentSecret) {
      const step = stepOf(stepId)
      const open = await openTicket(ticket, 'second-step')
      const user = await step.check({ ...input, userId: open.userId })
      if (user.id !== open.userId) throw expiredTicket()
      if ((await tickets?.finish(ticket)) == null) throw expiredTicket()
      const amr = combineAmr(open.amr, step.amr)
      const next = await nextStepFor(request, user, amr, false)
      if (next !== null) return next
      return { kind: 'signed-in', ...(await signedInWith(user, amr, currentSecret)) }
    },

    async reauthenticate(stepId, input, currentSecret) {
      const current = await liveLoginSession(currentSecret)
      if (current === null) throw expiredTicket()
      const step = stepOf(stepId)
      const user = await step.check({ ...input, userId: current.userId })
      if (user.id !== current.userId)
        throw new IssuerError('invalid_credentials', 'That is not this account.')
      const renewed = await store.records.update(
        LOGIN_SESSIONS,
        { id: current.id },
        {
          amr: combineAmr(current.amr.length === 0 ? PASSWORD_AMR : current.amr, step.amr),
          authTime: clock(),
        },
        { endedAt: null },
      )
      if (renewed === null) throw expiredTicket()
      logger.info('login_session_reauthenticated', { userId: user.id, loginSessionId: renewed.id })
      return renewed
    },

    async beginEnrolment(ticket) {
      const open = await openTicket(ticket, 'enrol')
      return factors.beginTotp(await userOf(open.userId))
    },

    async finishEnrolment(ticket, otp, currentSecret) {
      const open = await openTicket(ticket, 'enrol')
      const user = await userOf(open.userId)
      // Enrolment is for a user with no factor: one who has one passes it instead.
      if ((await factors.secondFactors(user.id)).length > 0) throw expiredTicket()
      // This browser's own login session of the user (a step-up) is kept and raised, as after a
      // second step; the user's other sessions end (a factor was added).
      const current = await liveLoginSession(currentSecret)
      const keep = { loginSessionId: current?.userId === user.id ? current.id : null }
      const { recoveryCodes } = await factors.confirmTotp(user.id, otp, keep)
      if ((await tickets?.finish(ticket)) == null) throw expiredTicket()
      const signedIn = await signedInWith(user, combineAmr(open.amr, OTP_AMR), currentSecret)
      return { ...signedIn, recoveryCodes }
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
      const next = await nextStepFor(request, user as UserRecord, live.amr, false)
      if (next !== null) {
        if (next.kind === 'error') return next
        // OpenID Connect Core §3.1.2.6: the user would have to interact.
        if (request.prompt.has('none')) {
          return {
            kind: 'error',
            error: 'interaction_required',
            description: 'The request needs a stronger sign-in than this session has.',
          }
        }
        return next
      }
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
