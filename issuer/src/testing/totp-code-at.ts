import { generate } from 'otplib'

/** The code an authenticator app shows for `secret` at `ms` (RFC 6238: SHA-1, 6 digits, 30 s). */
export function totpCodeAt(secret: string, ms: number): Promise<string> {
  return generate({ secret, epoch: Math.floor(ms / 1000), algorithm: 'sha1', digits: 6, period: 30 })
}
