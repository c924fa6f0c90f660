import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server'
import { IssuerError } from '../../errors.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import { endOtherSessions } from '../login/end-other-sessions.ts'
import { markMfaEnrolled } from '../mfa/mark-mfa-enrolled.ts'
import { listAll } from '../records/list-all.ts'
import type { Store } from '../store.ts'
import { StoreConflictError } from '../store-error.ts'
import type { UserRecord } from '../users/user-collection.ts'
import { CHALLENGE_TTL_MS, createWebauthnChallenges } from './create-webauthn-challenges.ts'
import { isCredentialId } from './is-credential-id.ts'
import { PASSKEYS, type PasskeyRecord } from './passkey-collection.ts'
import { passkeyName } from './passkey-name.ts'
import type { RelyingParty } from './relying-party.ts'

/** COSE algorithms offered (RFC 9053 §2.1 ES256, RFC 8812 §2 RS256): what every platform authenticator makes. */
export const PASSKEY_ALGORITHMS: readonly number[] = [-7, -257]

/** The caller's own session and login session, which a change of factors leaves alive. */
export interface SessionKeep {
  sessionId?: string | null
  loginSessionId?: string | null
}

export interface Passkeys {
  registrationOptions(
    user: UserRecord,
  ): Promise<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }>
  register(
    userId: string,
    input: { challengeId: string; response: RegistrationResponseJSON; name: string },
    keep: SessionKeep,
  ): Promise<PasskeyRecord>
  /** userId null: any discoverable passkey (passkey-only sign-in); else that user's passkeys (second step). */
  authenticationOptions(
    userId: string | null,
  ): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }>
  list(userId: string): Promise<PasskeyRecord[]>
  rename(userId: string, id: string, name: string): Promise<boolean>
  remove(userId: string, id: string, keep: SessionKeep): Promise<boolean>
}

const NOT_REGISTERED = 'The passkey could not be registered: start again with new options.'

/**
 * A user's passkeys (WebAuthn Level 3): registration ceremonies, the options of sign-in
 * ceremonies, and naming and removing them. Signing in with one is the passkey login step's.
 */
export function createPasskeys(deps: {
  store: Pick<Store, 'records' | 'endLoginSession' | 'listSessions' | 'revokeSession'>
  clock: Clock
  logger: Logger
  relyingParty: RelyingParty
}): Passkeys {
  const { store, clock, logger, relyingParty: rp } = deps
  const { records } = store
  const challenges = createWebauthnChallenges({ records, clock })
  const list = async (userId: string) =>
    (await listAll(records, PASSKEYS, { where: { field: 'userId', value: userId } })).sort(
      (a, b) => a.createdAt - b.createdAt,
    )

  return {
    async registrationOptions(user) {
      const existing = await list(user.id)
      const challenge = await challenges.issue('register', user.id)
      const options = await generateRegistrationOptions({
        rpName: rp.rpName,
        rpID: rp.rpId,
        userName: user.username,
        userDisplayName: user.name ?? user.username,
        // The user id itself: a discoverable sign-in's userHandle then names its user.
        userID: new TextEncoder().encode(user.id),
        // Bytes: a string would be encoded once more, and the browser would sign another value.
        challenge: Buffer.from(challenge.challenge, 'base64url'),
        timeout: CHALLENGE_TTL_MS,
        attestationType: 'none',
        // One passkey per authenticator: the browser refuses to make a second on one it knows.
        excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
        authenticatorSelection: {
          residentKey: 'required',
          requireResidentKey: true,
          userVerification: 'required',
        },
        supportedAlgorithmIDs: [...PASSKEY_ALGORITHMS],
      })
      return { challengeId: challenge.id, options }
    },

    async register(userId, input, keep) {
      const name = passkeyName(input.name)
      const challenge = await challenges.take(input.challengeId, 'register', userId)
      if (challenge === null)
        throw new IssuerError('invalid_request', NOT_REGISTERED, { detail: 'challenge' })
      let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>
      try {
        verified = await verifyRegistrationResponse({
          response: input.response,
          expectedChallenge: challenge.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpId,
          requireUserVerification: true,
          supportedAlgorithmIDs: [...PASSKEY_ALGORITHMS],
        })
      } catch {
        // The library's message may quote the challenge: neither logged nor answered.
        verified = { verified: false }
      }
      if (!verified.verified || !verified.registrationInfo.userVerified) {
        logger.info('passkey_registration_failed', { userId })
        throw new IssuerError('invalid_request', NOT_REGISTERED, { detail: 'verification' })
      }
      const info = verified.registrationInfo
      const now = clock()
      const record: PasskeyRecord = {
        id: info.credential.id,
        userId,
        name,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: [...(info.credential.transports ?? [])],
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        createdAt: now,
        lastUsedAt: null,
      }
      // Before the passkey exists: a password login must then look for it (mark-mfa-enrolled.ts).
      await markMfaEnrolled(records, userId)
      try {
        await records.insert(PASSKEYS, record)
      } catch (err) {
        if (!(err instanceof StoreConflictError)) throw err
        throw new IssuerError('invalid_request', 'This passkey is registered already.')
      }
      logger.info('passkey_added', { userId, passkeyId: record.id, backedUp: record.backedUp })
      await endOtherSessions({ store, logger }, userId, keep, 'passkey_added', now)
      return record
    },

    async authenticationOptions(userId) {
      const allow = userId === null ? [] : await list(userId)
      if (userId !== null && allow.length === 0) {
        throw new IssuerError('invalid_request', 'This account has no passkey.')
      }
      const challenge = await challenges.issue('login', userId)
      const options = await generateAuthenticationOptions({
        rpID: rp.rpId,
        // Empty: the authenticator offers its discoverable credentials for this RP ID.
        allowCredentials: allow.map((p) => ({ id: p.id, transports: p.transports })),
        // Bytes: a string would be encoded once more, and the browser would sign another value.
        challenge: Buffer.from(challenge.challenge, 'base64url'),
        timeout: CHALLENGE_TTL_MS,
        userVerification: 'required',
      })
      return { challengeId: challenge.id, options }
    },

    list,

    async rename(userId, id, name) {
      const newName = passkeyName(name)
      if (!isCredentialId(id)) return false
      const updated = await records.update(PASSKEYS, { id }, { name: newName }, { userId })
      if (updated !== null) logger.info('passkey_renamed', { userId, passkeyId: id })
      return updated !== null
    },

    async remove(userId, id, keep) {
      if (!isCredentialId(id)) return false
      const found = await records.get(PASSKEYS, { id })
      if (found === null || found.userId !== userId) return false
      if (!(await records.delete(PASSKEYS, { id }))) return false
      const now = clock()
      logger.info('passkey_removed', { userId, passkeyId: id })
      await endOtherSessions({ store, logger }, userId, keep, 'passkey_removed', now)
      return true
    },
  }
}
