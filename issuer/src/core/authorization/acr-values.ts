// Authentication context class references (OpenID Connect Core §2 `acr`) this issuer asserts, and
// the RFC 8176 `amr` values behind them (docs/mfa.md, "acr values"). Three classes, weakest first:
// a password (or any one factor), more than one factor, and a passkey (phishing-resistant: its
// signature is bound to this issuer's origin, so a look-alike site cannot relay it).

/** The user proved one factor, a password. */
export const PASSWORD_ACR = 'urn:tokensmith:acr:password'
/** The user proved two factors (a password and a one-time or recovery code), or a passkey. */
export const MFA_ACR = 'urn:tokensmith:acr:mfa'
/** The user proved a passkey with user verification (WebAuthn), alone or after a password. */
export const PHISHING_RESISTANT_ACR = 'urn:tokensmith:acr:phishing-resistant'

/** Every `acr` value a token here may carry, weakest first, for `acr_values_supported`. */
export const ACR_VALUES: readonly string[] = [PASSWORD_ACR, MFA_ACR, PHISHING_RESISTANT_ACR]

/** RFC 8176 §2: `pwd`, a password-based authentication. */
export const PASSWORD_AMR: readonly string[] = ['pwd']
/** RFC 8176 §2: `otp`, a one-time code (TOTP, or a single-use recovery code). */
export const OTP_AMR: readonly string[] = ['otp']

/**
 * RFC 8176 §2: a passkey is a key in hardware (`hwk`) whose authenticator verified the user
 * (`user`, a PIN or biometric), which together are more than one factor (`mfa`). A synced
 * passkey is strictly `swk`; a login step's `amr` is fixed, so every passkey says `hwk`.
 */
export const PASSKEY_AMR: readonly string[] = ['hwk', 'user', 'mfa']

/** The `amr` values that each stand for one kind of factor, for telling when there are two. */
const FACTOR_KINDS: Readonly<Record<string, string>> = {
  pwd: 'knowledge',
  otp: 'possession',
  hwk: 'possession',
  swk: 'possession',
}

/**
 * The `amr` of a login after one more step: the union of both, with `mfa` (RFC 8176 §2) once two
 * different kinds of factor were proved. A passkey step asserts `mfa` itself (user verification
 * on the authenticator is the second factor).
 */
export function combineAmr(before: readonly string[], step: readonly string[]): string[] {
  const amr = [...new Set([...before, ...step])].filter((v) => v !== 'mfa')
  const kinds = new Set(amr.map((v) => FACTOR_KINDS[v]).filter((k) => k !== undefined))
  const mfa = kinds.size >= 2 || before.includes('mfa') || step.includes('mfa')
  return mfa ? [...amr, 'mfa'] : amr
}

/** Whether a login that asserted `amr` meets the class `acr` (false for a class not defined here). */
export function acrMet(amr: readonly string[], acr: string): boolean {
  switch (acr) {
    case PASSWORD_ACR:
      return true
    case MFA_ACR:
      return amr.includes('mfa')
    case PHISHING_RESISTANT_ACR:
      return amr.includes('mfa') && (amr.includes('hwk') || amr.includes('swk'))
    default:
      return false
  }
}

/**
 * The `amr` and `acr` a login asserts, from the `amr` its steps recorded: the strongest class it
 * meets, or, when the client asked for classes (`acr_values`, a `claims` request), the strongest
 * of those it meets. A login stored before steps recorded `amr` has none, and was a password.
 */
export function authenticationOf(
  amr: readonly string[],
  requested: readonly string[] = [],
): { amr: readonly string[]; acr: string } {
  const said = amr.length === 0 ? PASSWORD_AMR : amr
  const met = (list: readonly string[]) => list.filter((acr) => acrMet(said, acr))
  const wanted = met(ACR_VALUES.filter((acr) => requested.includes(acr)))
  const acr = wanted.at(-1) ?? met(ACR_VALUES).at(-1) ?? PASSWORD_ACR
  return { amr: said, acr }
}
