// The standard claims an operator may set on a user (OpenID Connect Core §5.1), checked before they
// are stored: they end up in ID tokens and userinfo answers that relying parties trust.
const MAX_EMAIL_CHARS = 254
const MAX_NAME_CHARS = 256
/** addr-spec in its common form (RFC 5322 §3.4.1): no spaces, one @, a dotted domain. */
const EMAIL =
  /^[^\s@"\\<>()[\],;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

type ProfileText = 'email' | 'name' | 'givenName' | 'familyName'

/** Why `value` cannot be stored as the profile field `field`, or null when it can. */
export function userProfileProblem(field: ProfileText, value: string): string | null {
  if (field === 'email') {
    if (value.length > MAX_EMAIL_CHARS) return `must be at most ${MAX_EMAIL_CHARS} characters`
    return EMAIL.test(value) ? null : 'must be an e-mail address such as ada@example.com'
  }
  if (value.trim() === '') return 'must not be empty'
  if (value.length > MAX_NAME_CHARS) return `must be at most ${MAX_NAME_CHARS} characters`
  if (CONTROL.test(value)) return 'must not contain control characters'
  return null
}
