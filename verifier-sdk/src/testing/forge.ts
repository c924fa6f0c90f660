import { createHmac, type KeyObject, sign } from 'node:crypto'

/** base64url of UTF-8 text or bytes. */
export function b64url(value: string | Uint8Array): string {
  return Buffer.from(value).toString('base64url')
}

/** base64url of a value's JSON. */
export function jsonSegment(value: unknown): string {
  return b64url(JSON.stringify(value))
}

/**
 * An RS256 token over exactly this header and payload JSON text: duplicate member names, odd
 * spacing and anything else JSON.stringify would not produce stay as written.
 */
export function signRawRs256(privateKey: KeyObject, headerJson: string, payloadJson: string): string {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`
}

export type HmacAlg = 'HS256' | 'HS384' | 'HS512'

/** What a verifier confused into HMAC would compute, keyed with `secret` (e.g. our public key). */
export function hmacToken(
  alg: HmacAlg,
  secret: string | Uint8Array,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): string {
  const input = `${jsonSegment({ ...header, alg })}.${jsonSegment(payload)}`
  const hash = `sha${alg.slice(2)}`
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`
}

/** The segments of a compact token. */
export function segments(token: string): [string, string, string] {
  const parts = token.split('.')
  return [parts[0] ?? '', parts[1] ?? '', parts[2] ?? '']
}

/** The token's JSON payload (tests read the claims they are about to tamper with). */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segments(token)[1], 'base64url').toString('utf8'))
}
