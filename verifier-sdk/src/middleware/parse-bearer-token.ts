import { VerifyError } from '../errors.ts'

// RFC 6750 section 2.1: "Bearer" 1*SP b64token, the scheme case-insensitive, exactly one token.
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i
const SCHEME = /^([^\s]+)/

/**
 * The token of an `Authorization: Bearer <token>` header value. No header, or another scheme,
 * is `missing_token`; a Bearer header that is not exactly one token68 is `invalid_token`.
 */
export function parseBearerToken(header: string | null | undefined): string {
  if (header === undefined || header === null || header.trim() === '') {
    throw new VerifyError('missing_token', { reason: 'missing', detail: 'no Authorization header' })
  }
  const match = BEARER.exec(header)
  if (match?.[1] !== undefined) return match[1]
  if (SCHEME.exec(header)?.[1]?.toLowerCase() !== 'bearer') {
    throw new VerifyError('missing_token', {
      reason: 'other_scheme',
      detail: 'Authorization header is not of the Bearer scheme',
    })
  }
  throw new VerifyError('invalid_token', {
    reason: 'malformed',
    detail: 'malformed Bearer Authorization header',
  })
}
