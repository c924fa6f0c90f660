import { VerifyError } from '../errors.ts'

/** Decodes one base64url JWS segment that must hold a JSON object (header or payload). */
export function decodeJsonSegment(segment: string, what: 'header' | 'payload'): Record<string, unknown> {
  if (segment.length % 4 === 1) {
    throw new VerifyError('invalid_token', { reason: 'malformed', detail: `${what} is not base64url` })
  }
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    throw new VerifyError('invalid_token', { reason: 'malformed', detail: `${what} is not JSON` })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VerifyError('invalid_token', { reason: 'malformed', detail: `${what} is not a JSON object` })
  }
  return value as Record<string, unknown>
}
