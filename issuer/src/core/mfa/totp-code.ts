// TOTP as RFC 6238 defines it and authenticator apps implement it: HMAC-SHA-1, 6 digits, 30 s
// steps from the Unix epoch, through otplib (RFC 4226 truncation, constant-time comparison).
import { generateSecret, verify } from 'otplib'

export const TOTP_PERIOD_SEC = 30
export const TOTP_DIGITS = 6
/** One step either side (RFC 6238 §5.2): a phone clock a little off, a code typed as it turned. */
const TOLERANCE_SEC = TOTP_PERIOD_SEC

const CODE = /^[0-9]{6}$/

/** A new shared secret: 20 random bytes (160 bits, RFC 4226 §4 R6), base32 as apps expect. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 })
}

/**
 * The time step (RFC 6238 §4.2 `T`) whose code `code` is at `nowMs`, within one step of drift,
 * or null when it matches none. The caller makes a matched step usable once.
 */
export async function matchTotpStep(secret: string, code: string, nowMs: number): Promise<number | null> {
  if (!CODE.test(code)) return null
  const result = await verify({
    secret,
    token: code,
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SEC,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: TOLERANCE_SEC,
  })
  return result.valid && 'timeStep' in result ? result.timeStep : null
}
