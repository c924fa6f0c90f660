// A user's second factors: TOTP enrolment and removal, recovery codes, what a login must ask for,
// and the policy saying who must have one. Every change ends the user's other sessions (a stolen
// session must not outlive the factor it was opened without) and is logged without secrets.
import { IssuerError } from '../../errors.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import { endOtherSessions } from '../login/end-other-sessions.ts'
import { listAll } from '../records/list-all.ts'
import type { Store } from '../store.ts'
import { StoreConflictError } from '../store-error.ts'
import type { RandomBytes } from '../tokens/random-source.ts'
import type { UserRecord } from '../users/user-collection.ts'
import { listFactors } from './list-factors.ts'
import { markMfaEnrolled } from './mark-mfa-enrolled.ts'
import { type MfaPolicy, mfaRequired } from './mfa-policy.ts'
import { otpauthUri } from './otpauth-uri.ts'
import { qrCodeSvg } from './qr-code-svg.ts'
import { hashRecoveryCode, newRecoveryCodes } from './recovery-code.ts'
import { RECOVERY_CODES } from './recovery-code-collection.ts'
import { resetFactors } from './reset-factors.ts'
import type { SecretBox } from './secret-box.ts'
import { matchTotpStep, newTotpSecret, TOTP_PERIOD_SEC } from './totp-code.ts'
import { TOTP_FACTORS } from './totp-collection.ts'

export type SecondFactor = 'otp' | 'recovery_code' | 'passkey'

/** The caller's own sessions, kept when a change ends the others. */
export interface KeepSessions {
  sessionId?: string | null
  loginSessionId?: string | null
}

export interface Mfa {
  /** Confirmed TOTP, passkey count, recovery codes left. */
  factorsOf(userId: string): Promise<{ totp: boolean; passkeys: number; recoveryCodesLeft: number }>
  /** What a second step may use, in this order: 'otp' (TOTP confirmed), 'recovery_code' (any left), 'passkey' (any). Empty: no second step. */
  secondFactors(userId: string): Promise<SecondFactor[]>
  /** Policy (MFA=required, MFA_REQUIRED_ROLES, client.requireMfa): must this user have a second factor here? */
  required(user: UserRecord, client: ClientRecord | null): boolean
  /** Starts TOTP enrolment: secret (base32), otpauth:// URI, QR code as an SVG string. A set-up pending for less than 10 minutes is shown again; an older one is replaced. */
  beginTotp(user: UserRecord): Promise<{ secret: string; otpauthUri: string; qrSvg: string }>
  /** Confirms with a first code; answers the ten recovery codes when the user had none left (else null). Ends other sessions (keep). */
  confirmTotp(userId: string, otp: string, keep: KeepSessions): Promise<{ recoveryCodes: string[] | null }>
  removeTotp(userId: string, keep: KeepSessions): Promise<boolean>
  regenerateRecoveryCodes(userId: string, keep: KeepSessions): Promise<string[]>
  /** Operator reset: removes TOTP, recovery codes and passkeys; ends every session. */
  reset(userId: string): Promise<{ removed: number }>
}

/** How long a pending TOTP set-up is shown again rather than replaced by a new secret. */
const PENDING_SHOWN_MS = 10 * 60 * 1000

export function createMfa(deps: {
  store: Pick<Store, 'records' | 'rememberOnce' | 'endLoginSession' | 'listSessions' | 'revokeSession'>
  box: SecretBox
  clock: Clock
  logger: Logger
  random: RandomBytes
  policy: MfaPolicy
  /** The name authenticator apps show beside the account (the issuer's host). */
  issuerName: string
}): Mfa {
  const { store, box, clock, logger } = deps
  const { records } = store

  async function factorsOf(userId: string) {
    const f = await listFactors(records, userId)
    return {
      totp: f.totp !== null && f.totp.confirmedAt !== null,
      passkeys: f.passkeys.length,
      recoveryCodesLeft: f.recoveryCodesLeft,
    }
  }

  /** Replaces the user's set with ten new codes; answers them (the only time they are seen). */
  async function replaceRecoveryCodes(userId: string): Promise<string[]> {
    await markMfaEnrolled(records, userId)
    const now = clock()
    for (const old of await listAll(records, RECOVERY_CODES, { where: { field: 'userId', value: userId } })) {
      await records.delete(RECOVERY_CODES, { userId, hash: old.hash })
    }
    const codes = newRecoveryCodes(deps.random)
    for (const code of codes) {
      await records.insert(RECOVERY_CODES, {
        userId,
        hash: hashRecoveryCode(code, box, userId) as string,
        createdAt: now,
        usedAt: null,
      })
    }
    return codes
  }

  const endOthers = (userId: string, keep: KeepSessions, reason: string) =>
    endOtherSessions({ store, logger }, userId, keep, reason, clock())

  return {
    factorsOf,

    async secondFactors(userId) {
      const f = await factorsOf(userId)
      const out: SecondFactor[] = []
      if (f.totp) out.push('otp')
      if (f.recoveryCodesLeft > 0) out.push('recovery_code')
      if (f.passkeys > 0) out.push('passkey')
      return out
    },

    required: (user, client) => mfaRequired(deps.policy, user, client),

    async beginTotp(user) {
      const now = clock()
      const shown = async (secret: string) => {
        const uri = otpauthUri({ issuer: deps.issuerName, account: user.username, secret })
        return { secret, otpauthUri: uri, qrSvg: await qrCodeSvg(uri) }
      }
      const confirmed = () =>
        new IssuerError(
          'invalid_request',
          'An authenticator is already set up: remove it before adding another.',
        )
      const existing = await records.get(TOTP_FACTORS, { userId: user.id })
      if (existing?.confirmedAt != null) throw confirmed()
      // A set-up begun a moment ago is shown again: the user may have scanned it already, and a
      // mistyped first code must not make them scan a new one.
      if (existing !== null && now - existing.createdAt < PENDING_SHOWN_MS) {
        return shown(box.open(existing.sealedSecret, user.id))
      }
      const secret = newTotpSecret()
      // A restart rewrites the pending set-up; the key (userId) is never part of an update.
      const restart = { sealedSecret: box.seal(secret, user.id), confirmedAt: null, createdAt: now }
      const restarted = () =>
        records.update(TOTP_FACTORS, { userId: user.id }, restart, { confirmedAt: null })
      if (existing === null) {
        try {
          await records.insert(TOTP_FACTORS, { userId: user.id, ...restart })
        } catch (err) {
          if (!(err instanceof StoreConflictError)) throw err
          if ((await restarted()) === null) throw confirmed()
        }
      } else if ((await restarted()) === null) {
        throw confirmed()
      }
      logger.info('mfa_totp_enrolment_started', { userId: user.id })
      return shown(secret)
    },

    async confirmTotp(userId, otp, keep) {
      const now = clock()
      const pending = await records.get(TOTP_FACTORS, { userId })
      if (pending === null || pending.confirmedAt !== null) {
        throw new IssuerError(
          'invalid_request',
          'There is no authenticator set-up to confirm: start one first.',
        )
      }
      const step = await matchTotpStep(box.open(pending.sealedSecret, userId), otp, now)
      const until = step === null ? 0 : (step + 3) * TOTP_PERIOD_SEC * 1000
      // The confirming code is spent too: it cannot then pass a sign-in's second step.
      if (step === null || !(await store.rememberOnce(`totp:${userId}:${step}`, until, now))) {
        throw new IssuerError(
          'invalid_request',
          'The code does not match: check the time on the device and try again.',
        )
      }
      await markMfaEnrolled(records, userId)
      // Guarded on the secret too: a restart in another tab meanwhile is not confirmed by this code.
      const confirmed = await records.update(
        TOTP_FACTORS,
        { userId },
        { confirmedAt: now },
        { confirmedAt: null, sealedSecret: pending.sealedSecret },
      )
      if (confirmed === null) {
        throw new IssuerError('invalid_request', 'The authenticator set-up changed meanwhile: start again.')
      }
      const left = (await factorsOf(userId)).recoveryCodesLeft
      const recoveryCodes = left > 0 ? null : await replaceRecoveryCodes(userId)
      logger.security('mfa_totp_enrolled', { userId, recoveryCodesIssued: recoveryCodes !== null })
      await endOthers(userId, keep, 'mfa_changed')
      return { recoveryCodes }
    },

    async removeTotp(userId, keep) {
      if (!(await records.delete(TOTP_FACTORS, { userId }))) return false
      // Recovery codes back up the other factors; with none left they would be a factor alone.
      const left = await factorsOf(userId)
      let codesRemoved = 0
      if (!left.totp && left.passkeys === 0) {
        for (const c of await listAll(records, RECOVERY_CODES, {
          where: { field: 'userId', value: userId },
        })) {
          if (await records.delete(RECOVERY_CODES, { userId, hash: c.hash })) codesRemoved++
        }
      }
      logger.security('mfa_totp_removed', { userId, recoveryCodesRemoved: codesRemoved })
      await endOthers(userId, keep, 'mfa_changed')
      return true
    },

    async regenerateRecoveryCodes(userId, keep) {
      const codes = await replaceRecoveryCodes(userId)
      logger.security('mfa_recovery_codes_regenerated', { userId })
      await endOthers(userId, keep, 'mfa_changed')
      return codes
    },

    async reset(userId) {
      const { removed } = await resetFactors({ store, logger }, userId, clock())
      return { removed }
    },
  }
}
