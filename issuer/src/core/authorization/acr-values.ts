// Authentication context class references (OpenID Connect Core §2 `acr`) this issuer asserts, and
// the RFC 8176 `amr` values behind them. A login here is a password today; second factors and
// passkeys will add stronger classes beside this one (docs/oidc.md, "acr and amr").

/** The user proved a password, and nothing else. */
export const PASSWORD_ACR = 'urn:tokensmith:acr:password'

/** Every `acr` value an ID token here may carry, for `acr_values_supported`. */
export const ACR_VALUES: readonly string[] = [PASSWORD_ACR]

/** RFC 8176 §2: `pwd`, a password-based authentication. */
export const PASSWORD_AMR: readonly string[] = ['pwd']

/**
 * The `amr` and `acr` a login asserts, from the `amr` its steps recorded. A login session stored
 * before steps recorded them has none, and was a password.
 */
export function authenticationOf(amr: readonly string[]): { amr: readonly string[]; acr: string } {
  return { amr: amr.length === 0 ? PASSWORD_AMR : amr, acr: PASSWORD_ACR }
}
