import { IssuerError } from '../../errors.ts'
import { combineAmr, PASSWORD_AMR } from '../authorization/acr-values.ts'
import { CLIENTS } from '../clients/client-collection.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { Mfa, SecondFactor } from '../mfa/create-mfa.ts'
import type { PasswordHasher } from '../passwords/password-hasher.ts'
import type { ClientMeta } from '../sessions/client-meta.ts'
import type { Store } from '../store.ts'
import type { AccessTokenSigner } from '../tokens/access-token-signer.ts'
import type { RandomBytes } from '../tokens/random-source.ts'
import type { TokenPair } from '../tokens/token-pair.ts'
import { findUserByUsername } from '../users/find-user-by-username.ts'
import { normalizeUsername } from '../users/normalize-username.ts'
import type { UserRecord } from '../users/user-collection.ts'
import { USERS } from '../users/user-collection.ts'
import type { LoginLimiter } from './create-login-limiter.ts'
import type { LoginTickets } from './create-login-tickets.ts'
import { jsonLoginClient } from './json-login-client.ts'
import type { LoginStep } from './login-step.ts'
import { MfaRequiredError } from './mfa-required-error.ts'
import { startLogin } from './start-login.ts'

export type Credentials = { username: string; password: string } & ClientMeta

/** `/auth/login`: the client by its id (default: the first of CLIENT_IDS), the scope as asked. */
export type LoginInput = Credentials & { clientId?: string; scope?: string }

export interface LoginConfig {
  refreshIdleTtlSec: number
  sessionAbsoluteTtlSec: number
  clientIds: string[]
  /** The `iss`; also the audience of account-scoped tokens. */
  issuerUrl: string
}

export interface Login {
  /**
   * Checks the password and starts a session for a public client that has the password grant
   * (the JSON API has no client authentication). Unknown user and wrong password answer alike.
   */
  login(input: LoginInput): Promise<TokenPair>
  /** The same login for a client already authenticated (the password grant) and a granted scope. */
  loginAs(client: ClientRecord, scope: readonly string[], credentials: Credentials): Promise<TokenPair>
  /**
   * The password check alone, under the same limiter and dummy hash (the hosted login page):
   * the user, or `invalid_credentials` / `user_disabled` / `rate_limited`.
   */
  checkCredentials(credentials: Credentials): Promise<UserRecord>
  /**
   * The password as the whole check of an already signed-in user (the account page's "Confirm it
   * is you"): the same limiter and dummy hash, and a right one settles the counters even for an
   * account with second factors.
   */
  recheckPassword(credentials: Credentials): Promise<UserRecord>
  /**
   * The second step of a `/auth/login` that answered `mfa_required`: the ticket (`mfaToken`) must
   * be live; `step` checks what `inputOf(userId)` builds from the request, under the same limiter
   * as the password. On success the ticket is finished and the session starts, with the `amr` of
   * both steps. Wrong code: `invalid_credentials`; ticket expired, used or unknown:
   * `invalid_mfa_token`.
   */
  finishSecondStep<I>(
    mfaToken: string,
    step: LoginStep<I>,
    inputOf: (userId: string) => I,
    meta: ClientMeta,
  ): Promise<TokenPair>
}

/** The one failure message of every password check, whichever part was wrong. */
export const BAD_CREDENTIALS = 'The username or password is incorrect.'

/** What a password check found: the user, and the second factors the login must still ask for. */
interface PasswordPassed {
  user: UserRecord
  factors: SecondFactor[]
}

export function createLogin(deps: {
  store: Pick<Store, 'records' | 'createSession'>
  limiter: LoginLimiter
  signer: AccessTokenSigner
  hasher: PasswordHasher
  random: RandomBytes
  clock: Clock
  logger: Logger
  config: LoginConfig
  /** Second factors and the policy; absent: every login is a password alone (tools, old tests). */
  mfa?: Pick<Mfa, 'secondFactors' | 'required'>
  tickets?: LoginTickets
}): Login {
  const { store, limiter, hasher, clock, logger, config } = deps

  /** `whole`: the password is the whole check (a re-check of a signed-in user), so it settles the counters. */
  async function checkPassword(input: Credentials, whole = false): Promise<PasswordPassed> {
    const now = clock()
    if (Buffer.byteLength(input.password, 'utf8') > hasher.maxPasswordBytes) {
      throw new IssuerError(
        'invalid_request',
        `The password must be at most ${hasher.maxPasswordBytes} bytes.`,
      )
    }
    const username = normalizeUsername(input.username)
    // Counted per normalised name even when no such user exists, so a lockout reveals nothing.
    const account = username ?? input.username.slice(0, 128)
    const attempt = await limiter.attempt(account, input.clientIp, now)

    const user = username === null ? null : await findUserByUsername(store.records, username)
    // Unknown users are hashed against a dummy so both failures cost the same.
    const check = await hasher.verify(input.password, user?.passwordHash ?? null)
    if (!user || !check.ok) {
      if (attempt.lastForAccount) {
        logger.security('login_lockout', {
          scope: 'account',
          userId: user?.id ?? null,
          clientIp: input.clientIp,
        })
      }
      if (attempt.lastForAddress) {
        logger.security('login_lockout', { scope: 'address', clientIp: input.clientIp })
      }
      logger.info('login_failed', { userId: user?.id ?? null, clientIp: input.clientIp })
      throw new IssuerError('invalid_credentials', BAD_CREDENTIALS)
    }
    if (user.disabled) {
      logger.info('login_refused_disabled', { userId: user.id })
      throw new IssuerError('user_disabled', 'This account is disabled.')
    }
    // Only users who ever enrolled a factor cost the reads (users.mfaEnrolled).
    const factors = user.mfaEnrolled && deps.mfa ? await deps.mfa.secondFactors(user.id) : []
    // With a second step to come, the right password does not clear the account's failures: else
    // each right password would buy a fresh set of guesses at the code.
    if (factors.length === 0 || whole) await limiter.succeeded(account, input.clientIp)
    if (check.needsRehash) {
      await store.records.update(
        USERS,
        { id: user.id },
        { passwordHash: await hasher.hash(input.password), updatedAt: now },
      )
      logger.info('password_rehashed', { userId: user.id })
    }
    return { user, factors }
  }

  /**
   * After the password: a second step to ask for (`ticket`: with a ticket for the JSON API; else
   * refused, as the password grant cannot ask), a second factor the user must first enrol, or none.
   */
  async function afterPassword(
    passed: PasswordPassed,
    client: ClientRecord,
    scope: readonly string[],
    ask: 'ticket' | 'refuse',
  ): Promise<void> {
    const { user, factors } = passed
    if (factors.length > 0) {
      logger.info('login_second_step_required', { userId: user.id, clientId: client.id })
      if (ask === 'refuse' || deps.tickets === undefined) {
        throw new IssuerError('mfa_required', 'This account signs in with a second factor.')
      }
      const ticket = await deps.tickets.issue({
        purpose: 'second-step',
        userId: user.id,
        amr: PASSWORD_AMR,
        clientId: client.id,
        scope,
      })
      throw new MfaRequiredError(ticket, factors)
    }
    if (deps.mfa?.required(user, client)) {
      logger.info('login_refused_mfa_enrollment_required', { userId: user.id, clientId: client.id })
      throw new IssuerError(
        'mfa_enrollment_required',
        'This account must set up a second factor first: sign in on the sign-in page to add one.',
      )
    }
  }

  /** The session and token pair of a finished login, with what its steps proved (RFC 8176 `amr`). */
  async function startSession(
    user: UserRecord,
    client: ClientRecord,
    scope: readonly string[],
    meta: ClientMeta,
    amr: readonly string[],
  ): Promise<TokenPair> {
    return startLogin(deps, { user, client, scope, meta, amr })
  }

  async function checkCredentials(input: Credentials): Promise<UserRecord> {
    return (await checkPassword(input)).user
  }

  async function loginAs(
    client: ClientRecord,
    scope: readonly string[],
    input: Credentials,
  ): Promise<TokenPair> {
    const passed = await checkPassword(input)
    await afterPassword(passed, client, scope, 'refuse')
    return startSession(passed.user, client, scope, input, PASSWORD_AMR)
  }

  async function finishSecondStep<I>(
    mfaToken: string,
    step: LoginStep<I>,
    inputOf: (userId: string) => I,
    meta: ClientMeta,
  ): Promise<TokenPair> {
    const expired = () =>
      new IssuerError('invalid_mfa_token', 'The sign-in expired or was already finished: sign in again.')
    if (deps.tickets === undefined) throw expired()
    const ticket = await deps.tickets.open(mfaToken)
    // Only the JSON API's own tickets (they name its client): a hosted page's, or one issued for
    // enrolment, finishes nothing here.
    if (ticket === null || ticket.clientId === null || ticket.purpose === 'enrol') throw expired()
    const user = await store.records.get(USERS, { id: ticket.userId })
    if (user === null) throw expired()
    // The password's limiter and counters: a wrong code is a failed login like a wrong password
    // (a passkey counts its own).
    const attempt = step.limitsItself
      ? { lastForAccount: false, lastForAddress: false }
      : await limiter.attempt(user.username, meta.clientIp, clock())
    let passed: UserRecord
    try {
      // The address goes with the input: a step that counts its own attempts counts them there.
      passed = await step.check({ ...inputOf(user.id), clientIp: meta.clientIp })
      if (passed.id !== user.id) throw new IssuerError('invalid_credentials', 'The code is incorrect.')
    } catch (err) {
      if (err instanceof IssuerError && err.code === 'invalid_credentials') {
        if (attempt.lastForAccount) {
          logger.security('login_lockout', { scope: 'account', userId: user.id, clientIp: meta.clientIp })
        }
        if (attempt.lastForAddress) {
          logger.security('login_lockout', { scope: 'address', clientIp: meta.clientIp })
        }
        logger.info('login_failed', { userId: user.id, step: step.id, clientIp: meta.clientIp })
      }
      throw err
    }
    // Finished only now, once: of two requests racing with one ticket, one starts a session.
    const finished = await deps.tickets.finish(mfaToken)
    if (finished === null) throw expired()
    if (!step.limitsItself) await limiter.succeeded(user.username, meta.clientIp)
    const client =
      finished.clientId === null ? null : await store.records.get(CLIENTS, { id: finished.clientId })
    if (client === null || client.disabled) throw new IssuerError('invalid_request', 'Unknown clientId.')
    return startSession(passed, client, finished.scope, meta, combineAmr(finished.amr, step.amr))
  }

  return {
    async login(input) {
      const { client, scope } = await jsonLoginClient(store.records, config.clientIds, input)
      const passed = await checkPassword(input)
      await afterPassword(passed, client, scope, 'ticket')
      return startSession(passed.user, client, scope, input, PASSWORD_AMR)
    },
    loginAs,
    checkCredentials,
    recheckPassword: async (input) => (await checkPassword(input, true)).user,
    finishSecondStep,
  }
}
