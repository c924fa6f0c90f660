import { IssuerError } from '../../errors.ts'
import type { SecondFactor } from '../mfa/create-mfa.ts'

/**
 * The password was right and the account has a second factor: the JSON API answers 401
 * `mfa_required` with the ticket to finish the login with (`mfaToken`) and what it may use.
 */
export class MfaRequiredError extends IssuerError {
  readonly mfaToken: string
  readonly factors: readonly SecondFactor[]
  constructor(mfaToken: string, factors: readonly SecondFactor[]) {
    super('mfa_required', 'This account has a second factor: finish the sign-in with it.')
    this.name = 'MfaRequiredError'
    this.mfaToken = mfaToken
    this.factors = factors
  }
}
