/** One challenge of a `WWW-Authenticate` field (RFC 9110 section 11.6.1). */
export interface AuthChallenge {
  /** The auth-scheme, lower-cased: schemes are case-insensitive. */
  readonly scheme: string
  /** The auth-params by lower-cased name, quoted strings unescaped; the first of a repeated name. */
  readonly params: ReadonlyMap<string, string>
  /** The token68 form's value (`Basic <token68>`), when the challenge has one. */
  readonly token68: string | undefined
}

// RFC 9110 section 5.6.2 (tchar) and 11.2 (token68).
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/
const TOKEN68_CHAR = /^[A-Za-z0-9\-._~+/]$/

/**
 * Every challenge of a `WWW-Authenticate` field value (several fields joined with ", " are one
 * list): `scheme [1*SP (token68 / #auth-param)]`, comma-separated, with empty list elements,
 * BWS around "=", and token or quoted-string values alike. It never throws: a malformed element
 * is skipped up to the next comma outside quotes, and the rest is still read.
 */
export function parseWwwAuthenticate(field: string): AuthChallenge[] {
  const s = field
  const n = s.length
  let i = 0
  const challenges: AuthChallenge[] = []

  const isTchar = (c: string | undefined) => c !== undefined && TCHAR.test(c)
  const skipWhitespace = () => {
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++
  }
  const readToken = () => {
    const start = i
    while (i < n && isTchar(s[i])) i++
    return s.slice(start, i)
  }
  /** At a DQUOTE: the unescaped content, or undefined when it never ends. */
  const readQuoted = (): string | undefined => {
    i++
    let value = ''
    while (i < n) {
      const c = s[i] as string
      if (c === '"') {
        i++
        return value
      }
      if (c === '\\' && i + 1 < n) {
        value += s[i + 1]
        i += 2
      } else {
        value += c
        i++
      }
    }
    return undefined
  }
  const skipElement = () => {
    while (i < n && s[i] !== ',') {
      if (s[i] === '"') readQuoted()
      else i++
    }
  }
  const atElementEnd = () => {
    skipWhitespace()
    return i >= n || s[i] === ','
  }
  /** `token BWS "=" BWS (token / quoted-string)` ending its element; else i is left unmoved. */
  const readParam = (): [string, string] | undefined => {
    const start = i
    const name = readToken()
    skipWhitespace()
    if (name !== '' && s[i] === '=') {
      i++
      skipWhitespace()
      const value = s[i] === '"' ? readQuoted() : readToken() || undefined
      if (value !== undefined && atElementEnd()) return [name.toLowerCase(), value]
    }
    i = start
    return undefined
  }
  const readToken68 = (): string | undefined => {
    const start = i
    while (i < n && TOKEN68_CHAR.test(s[i] as string)) i++
    if (i === start) return undefined
    while (i < n && s[i] === '=') i++
    const value = s.slice(start, i)
    if (atElementEnd()) return value
    i = start
    return undefined
  }

  while (i < n) {
    skipWhitespace()
    if (s[i] === ',') {
      i++
      continue
    }
    if (i >= n) break
    const scheme = readToken()
    if (scheme === '' || !(i >= n || s[i] === ' ' || s[i] === '\t' || s[i] === ',')) {
      skipElement()
      continue
    }
    const params = new Map<string, string>()
    let token68: string | undefined
    if (!atElementEnd()) {
      const param = readParam()
      if (param !== undefined) params.set(param[0], param[1])
      else token68 = readToken68()
      if (param === undefined && token68 === undefined) skipElement()
    }
    // The elements that follow are this challenge's params until one is not a param: the next scheme.
    while (token68 === undefined && i < n) {
      const before = i
      while (i < n && (s[i] === ',' || s[i] === ' ' || s[i] === '\t')) i++
      const param = readParam()
      if (param === undefined) {
        i = before
        break
      }
      if (!params.has(param[0])) params.set(param[0], param[1])
    }
    challenges.push({ scheme: scheme.toLowerCase(), params, token68 })
  }
  return challenges
}
