import { OAuthError } from '../../errors.ts'

/** A parsed `application/x-www-form-urlencoded` body: every parameter at most once (RFC 6749 §3.2). */
export interface FormParams {
  /** The value, or undefined when absent. An empty value counts as absent (RFC 6749 §3.1). */
  get(name: string): string | undefined
  /** The value, or OAuthError('invalid_request') naming the parameter. */
  require(name: string): string
  has(name: string): boolean
}

const MAX_VALUE_CHARS = 4096

/**
 * Parses a form body. Refuses a repeated parameter, a value longer than 4096 characters and a
 * malformed percent-encoding, each with `invalid_request` naming the parameter.
 */
export function parseFormParams(text: string): FormParams {
  const values = new Map<string, string>()
  if (text.length > 0) {
    for (const pair of text.split('&')) {
      if (pair === '') continue
      const eq = pair.indexOf('=')
      const name = decode(eq < 0 ? pair : pair.slice(0, eq), 'a parameter name')
      const value = decode(eq < 0 ? '' : pair.slice(eq + 1), 'a parameter value')
      // Parameters are not named back: an error description never echoes the request (RFC 6749 §5.2).
      if (values.has(name)) {
        throw new OAuthError('invalid_request', 'A parameter must not be repeated (RFC 6749 section 3.2).')
      }
      if (value.length > MAX_VALUE_CHARS) {
        throw new OAuthError(
          'invalid_request',
          `A parameter value is longer than ${MAX_VALUE_CHARS} characters.`,
        )
      }
      values.set(name, value)
    }
  }
  const get = (name: string) => {
    const v = values.get(name)
    return v === undefined || v === '' ? undefined : v
  }
  return {
    get,
    has: (name) => get(name) !== undefined,
    require(name) {
      const v = get(name)
      // `name` is the caller's own constant, never a name the request sent.
      if (v === undefined) throw new OAuthError('invalid_request', `The parameter ${name} is required.`)
      return v
    },
  }
}

// URLSearchParams would silently accept a broken escape; a token endpoint should say so.
function decode(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    throw new OAuthError('invalid_request', `The form encoding of ${what} is malformed.`)
  }
}
