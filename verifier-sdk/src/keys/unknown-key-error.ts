import { VerifyError } from '../errors.ts'

/** The refusal of a token whose `kid` and `alg` name no key of the set. */
export function unknownKeyError(detail: string): VerifyError {
  return new VerifyError('invalid_token', { claim: 'kid', reason: 'unknown_key', detail })
}
