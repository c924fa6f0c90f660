import type { ClientRecord } from '../clients/client-record.ts'
import type { UserRecord } from '../users/user-collection.ts'

/** Who must have a second factor: `MFA` (optional | required) and `MFA_REQUIRED_ROLES`. */
export interface MfaPolicy {
  mfa: 'optional' | 'required'
  mfaRequiredRoles: readonly string[]
}

/** Whether `user` must have a second factor to sign in at `client` (null: no client, the hosted pages). */
export function mfaRequired(policy: MfaPolicy, user: UserRecord, client: ClientRecord | null): boolean {
  return (
    policy.mfa === 'required' ||
    user.roles.some((role) => policy.mfaRequiredRoles.includes(role)) ||
    client?.requireMfa === true
  )
}
