import { isHttpUrl } from '../is-http-url.ts'
import { readBoundedText } from './read-bounded-text.ts'

export interface JwksUriDiscoveryOptions {
  /** The expected issuer: the discovery document is used only if its `issuer` is exactly this. */
  readonly issuer: string
  readonly fetch: typeof globalThis.fetch
  readonly onWarning: (message: string) => void
}

/**
 * Finds the issuer's JWKS URL: the `jwks_uri` of `<issuer>/.well-known/openid-configuration`,
 * else `<issuer>/.well-known/jwks.json`. A definite answer (a document, or 404/410) is remembered;
 * after a transient failure the fallback serves this time and discovery is tried again next time.
 */
export function createJwksUriDiscovery(
  options: JwksUriDiscoveryOptions,
): (signal: AbortSignal) => Promise<string> {
  const { issuer } = options
  const base = issuer.replace(/\/+$/, '')
  const fallback = `${base}/.well-known/jwks.json`
  let found: string | undefined

  return async function discoverJwksUri(signal) {
    if (found !== undefined) return found
    let response: Response
    try {
      response = await options.fetch(`${base}/.well-known/openid-configuration`, {
        headers: { accept: 'application/json' },
        signal,
      })
    } catch {
      return fallback
    }
    if (!response.ok) {
      await response.body?.cancel()
      // No discovery document here: remember the fallback. A server error: try again next time.
      if (response.status === 404 || response.status === 410) found = fallback
      return fallback
    }
    let doc: unknown
    try {
      doc = JSON.parse(await readBoundedText(response))
    } catch {
      return fallback
    }
    const { issuer: docIssuer, jwks_uri } = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<
      string,
      unknown
    >
    if (docIssuer === issuer && isHttpUrl(jwks_uri)) {
      found = jwks_uri
    } else {
      options.onWarning('discovery document ignored: its issuer does not match or it has no http(s) jwks_uri')
      found = fallback
    }
    return found
  }
}
