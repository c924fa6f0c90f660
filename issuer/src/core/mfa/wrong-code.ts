import { IssuerError } from '../../errors.ts'

/**
 * The one refusal of a second step, whichever code was wrong, reused or unknown: an attacker
 * learns nothing from which (the password's own is BAD_CREDENTIALS).
 */
export function wrongCode(): IssuerError {
  return new IssuerError('invalid_credentials', 'The code is incorrect.')
}
