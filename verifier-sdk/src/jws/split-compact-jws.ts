import { VerifyError } from '../errors.ts'

export interface CompactJwsParts {
  readonly headerSegment: string
  readonly payloadSegment: string
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`, the bytes the signature covers. */
  readonly signingInput: string
  readonly signature: Buffer
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * Splits a JWS in compact serialization: exactly three base64url segments, nothing else (no JWE,
 * no unsecured JWT, no whitespace). Only the signature is decoded here: the header is decoded by
 * the caller, and the payload only once the signature has verified. The size bound is the
 * caller's, checked before this.
 */
export function splitCompactJws(token: string): CompactJwsParts {
  if (!COMPACT_JWS.test(token)) {
    throw new VerifyError('invalid_token', { reason: 'malformed', detail: 'not a compact JWS' })
  }
  const first = token.indexOf('.')
  const last = token.lastIndexOf('.')
  const signatureSegment = token.slice(last + 1)
  if (signatureSegment.length % 4 === 1) {
    throw new VerifyError('invalid_token', { reason: 'malformed', detail: 'signature is not base64url' })
  }
  const signature = Buffer.from(signatureSegment, 'base64url')
  // RFC 4648 3.5: refuse set padding bits, so each signature has exactly one spelling and
  // anything keyed on the token text (deny lists, replay caches) cannot be sidestepped.
  if (signature.toString('base64url') !== signatureSegment) {
    throw new VerifyError('invalid_token', {
      reason: 'malformed',
      detail: 'signature is not canonical base64url',
    })
  }
  return {
    headerSegment: token.slice(0, first),
    payloadSegment: token.slice(first + 1, last),
    signingInput: token.slice(0, last),
    signature,
  }
}
