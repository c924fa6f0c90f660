import { VerifyError } from './errors.ts'

export interface DecodedJws {
  readonly header: Readonly<Record<string, unknown>>
  readonly payload: Readonly<Record<string, unknown>>
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`, the bytes the signature covers. */
  readonly signingInput: string
  readonly signature: Buffer
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

function decodeJsonObject(segment: string, what: string): Record<string, unknown> {
  if (segment.length % 4 === 1) throw new VerifyError('invalid_token', `${what} is not base64url`)
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    throw new VerifyError('invalid_token', `${what} is not JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VerifyError('invalid_token', `${what} is not a JSON object`)
  }
  return value as Record<string, unknown>
}

/**
 * Splits and decodes a JWS in compact serialization (three base64url segments, nothing else:
 * no JWE, no unsecured JWT, no whitespace). The size bound is the caller's, checked before this.
 */
export function decodeCompactJws(token: string): DecodedJws {
  if (!COMPACT_JWS.test(token)) throw new VerifyError('invalid_token', 'not a compact JWS')
  const first = token.indexOf('.')
  const last = token.lastIndexOf('.')
  const signatureSegment = token.slice(last + 1)
  if (signatureSegment.length % 4 === 1) throw new VerifyError('invalid_token', 'signature is not base64url')
  return {
    header: decodeJsonObject(token.slice(0, first), 'header'),
    payload: decodeJsonObject(token.slice(first + 1, last), 'payload'),
    signingInput: token.slice(0, last),
    signature: Buffer.from(signatureSegment, 'base64url'),
  }
}
