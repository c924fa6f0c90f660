// Redirect URIs (RFC 6749 §3.1.2, RFC 8252 §7, RFC 9700 §4.1): what a client may register and how
// a request's `redirect_uri` is compared with what it registered. The comparison is exact string
// equality, except that a loopback URI may name any port (RFC 8252 §7.3: a native app or CLI
// listens on whatever port is free).

const MAX_LENGTH = 2000
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]'])
/** RFC 8252 §7.1: a private-use scheme in reverse domain-name form, such as `com.example.app`. */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/

/** Why `uri` cannot be registered as a redirect URI, or null when it can. */
export function redirectUriProblem(uri: string): string | null {
  if (uri.length === 0 || uri.length > MAX_LENGTH) return `must be 1 to ${MAX_LENGTH} characters`
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return 'must be an absolute URI'
  }
  if (uri.includes('#')) return 'must not have a fragment (RFC 6749 §3.1.2)'
  if (url.username !== '' || url.password !== '') return 'must not carry user information'
  if (url.protocol === 'https:') return null
  if (url.protocol === 'http:') {
    if (LOOPBACK_HOSTS.has(url.hostname)) return null
    if (url.hostname === 'localhost') {
      return 'use http://127.0.0.1 or http://[::1] instead of localhost (RFC 8252 §8.3)'
    }
    return 'http is allowed only on the loopback address 127.0.0.1 or [::1] (RFC 8252 §7.3)'
  }
  if (PRIVATE_USE_SCHEME.test(url.protocol)) return null
  return 'must use https, http on a loopback address, or a reverse-domain private-use scheme (RFC 8252 §7.1)'
}

/** Whether `requested` is one of `registered`: exactly, or as a loopback URI on another port. */
export function matchesRedirectUri(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true
  const asked = loopbackWithoutPort(requested)
  if (asked === null) return false
  return registered.some((uri) => loopbackWithoutPort(uri) === asked)
}

/** The URI with its port removed when it is an http loopback URI; null for any other. */
function loopbackWithoutPort(uri: string): string | null {
  if (uri.length > MAX_LENGTH || uri.includes('#')) return null
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return null
  if (url.username !== '' || url.password !== '') return null
  // Compared as parsed and re-serialised without the port: path and query must be equal.
  return `http://${url.hostname}${url.pathname}${url.search}`
}
