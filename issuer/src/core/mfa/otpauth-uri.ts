import { TOTP_DIGITS, TOTP_PERIOD_SEC } from './totp-code.ts'

/**
 * The Key URI authenticator apps scan (Google Authenticator's "Key Uri Format"):
 * `otpauth://totp/<issuer>:<account>?secret=..&issuer=..&algorithm=SHA1&digits=6&period=30`.
 * The issuer is in the label and the parameter both, as the format recommends.
 */
export function otpauthUri(input: { issuer: string; account: string; secret: string }): string {
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.account)}`
  const params = [
    `secret=${input.secret}`,
    `issuer=${encodeURIComponent(input.issuer)}`,
    'algorithm=SHA1',
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SEC}`,
  ]
  return `otpauth://totp/${label}?${params.join('&')}`
}
