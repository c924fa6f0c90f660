import { IssuerError } from '../../errors.ts'

/** A passkey's name as the user gave it, trimmed: 1 to 64 characters, no control characters. */
export function passkeyName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim() : ''
  // Counted in code points, as a user counts them.
  const length = [...name].length
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (length < 1 || length > 64 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new IssuerError('invalid_request', 'The passkey name must be 1 to 64 characters.')
  }
  return name
}
