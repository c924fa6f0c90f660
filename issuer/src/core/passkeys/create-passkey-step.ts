import { type AuthenticationResponseJSON, verifyAuthenticationResponse } from '@simplewebauthn/server'
import { IssuerError } from '../../errors.ts'
import { PASSKEY_AMR } from '../authorization/acr-values.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { LoginLimiter } from '../login/create-login-limiter.ts'
import type { LoginStep } from '../login/login-step.ts'
import type { Store } from '../store.ts'
import { USERS, type UserRecord } from '../users/user-collection.ts'
import { createWebauthnChallenges } from './create-webauthn-challenges.ts'
import { isCredentialId } from './is-credential-id.ts'
import { PASSKEYS, type PasskeyRecord } from './passkey-collection.ts'
import type { RelyingParty } from './relying-party.ts'

export interface PasskeyStepInput {
  /** The `challengeId` of the options the browser signed. */
  challengeId: string
  /** The browser's `PublicKeyCredential.toJSON()` of `navigator.credentials.get`. */
  response: AuthenticationResponseJSON
  /** Set: a second step, only this user's passkeys. Absent: a passkey-only sign-in (discoverable). */
  userId?: string
  /** Where the attempt came from, for the per-address login limit. */
  clientIp?: string | null
}

/** The one answer to every failed passkey check, whichever part was wrong. */
export const PASSKEY_REFUSED = 'The passkey was not accepted. Try again.'

// How often a counter update that lost a race to another sign-in with the same passkey is retried.
const COUNTER_TRIES = 3

/**
 * The passkey login step (WebAuthn Level 3 §7.2): takes the challenge once, finds the credential,
 * checks that it is the user's (the record's owner, the response's userHandle, the second step's
 * user), verifies the signature over this issuer's origin and RP ID with user verification, and
 * keeps the signature counter (one that does not move forward, unless both are 0, is refused:
 * §6.1.1, a cloned authenticator) and the backup flags. Failures count in the login limiter like
 * wrong passwords.
 */
export function createPasskeyStep(deps: {
  store: Pick<Store, 'records'>
  limiter: LoginLimiter
  clock: Clock
  logger: Logger
  relyingParty: RelyingParty
}): LoginStep<PasskeyStepInput> {
  const { store, limiter, clock, logger, relyingParty: rp } = deps
  const { records } = store
  const challenges = createWebauthnChallenges({ records, clock })

  /** Stores the counter and flags of a verified use; false when the counter did not move forward. */
  async function recordUse(
    found: PasskeyRecord,
    use: Pick<PasskeyRecord, 'counter' | 'backedUp' | 'deviceType'>,
    now: number,
  ): Promise<boolean> {
    let current: PasskeyRecord | null = found
    for (let i = 0; i < COUNTER_TRIES && current !== null; i++) {
      if ((use.counter > 0 || current.counter > 0) && use.counter <= current.counter) {
        logger.security('passkey_counter_regressed', { userId: current.userId, passkeyId: current.id })
        return false
      }
      const patch = { ...use, lastUsedAt: now }
      // Guarded on the counter read, so two sign-ins racing cannot move it backwards.
      if (await records.update(PASSKEYS, { id: current.id }, patch, { counter: current.counter })) return true
      current = await records.get(PASSKEYS, { id: current.id })
    }
    return false
  }

  return {
    id: 'passkey',
    amr: PASSKEY_AMR,
    limitsItself: true,
    async check(input) {
      const now = clock()
      const clientIp = input.clientIp ?? null
      const credentialId = typeof input.response?.id === 'string' ? input.response.id : ''
      const passkey = isCredentialId(credentialId) ? await records.get(PASSKEYS, { id: credentialId }) : null
      const ownerId = input.userId ?? passkey?.userId ?? null
      const owner = ownerId === null ? null : await records.get(USERS, { id: ownerId })
      // Counted with the password's: per account (the owner's name) and per address.
      const account = owner?.username ?? `passkey:${credentialId.slice(0, 64)}`
      const attempt = await limiter.attempt(account, clientIp, now)

      const refuse = (reason: string): IssuerError => {
        if (attempt.lastForAccount) {
          logger.security('login_lockout', { scope: 'account', userId: owner?.id ?? null, clientIp })
        }
        if (attempt.lastForAddress) logger.security('login_lockout', { scope: 'address', clientIp })
        logger.info('passkey_login_failed', { userId: owner?.id ?? null, clientIp, reason })
        return new IssuerError('invalid_credentials', PASSKEY_REFUSED)
      }

      const challenge = await challenges.take(String(input.challengeId), 'login', input.userId ?? null)
      if (challenge === null) throw refuse('challenge')
      if (passkey === null) throw refuse('unknown_passkey')
      if (owner === null || passkey.userId !== owner.id) throw refuse('other_user')
      // §7.2 step 6: a discoverable sign-in must name its user, and the name must be the owner's.
      const handle = input.response?.response?.userHandle
      if (typeof handle === 'string') {
        if (Buffer.from(handle, 'base64url').toString('utf8') !== passkey.userId) throw refuse('user_handle')
      } else if (input.userId === undefined) {
        throw refuse('user_handle')
      }

      let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>> | null
      try {
        verified = await verifyAuthenticationResponse({
          response: input.response,
          expectedChallenge: challenge.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpId,
          // The counter is checked below, after the signature: an unsigned counter proves nothing.
          credential: {
            id: passkey.id,
            publicKey: Buffer.from(passkey.publicKey, 'base64url'),
            counter: 0,
            transports: passkey.transports,
          },
          requireUserVerification: true,
        })
      } catch {
        // The library's message may quote the challenge: neither logged nor answered.
        verified = null
      }
      if (verified === null || !verified.verified || !verified.authenticationInfo.userVerified) {
        throw refuse('signature')
      }
      const info = verified.authenticationInfo
      const use = {
        counter: info.newCounter,
        backedUp: info.credentialBackedUp,
        deviceType: info.credentialDeviceType,
      }
      if (!(await recordUse(passkey, use, now))) throw refuse('counter')

      const user: UserRecord = owner
      if (user.disabled) {
        logger.info('login_refused_disabled', { userId: user.id })
        throw new IssuerError('user_disabled', 'This account is disabled.')
      }
      await limiter.succeeded(account, clientIp)
      return user
    },
  }
}
