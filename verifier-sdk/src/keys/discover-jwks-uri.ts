import { fetchIssuerMetadata, type MetadataDocumentName } from '../fetch-issuer-metadata.ts'
import { isHttpUrl } from '../is-http-url.ts'

export interface JwksUriDiscoveryOptions {
  /** The expected issuer: a discovery document is used only if its `issuer` is exactly this. */
  readonly issuer: string
  readonly fetch: typeof globalThis.fetch
  readonly onWarning: (message: string) => void
}

/** Where the JWKS URL is looked up, in order: OpenID Connect's document, then RFC 8414's. */
const DOCUMENTS: readonly MetadataDocumentName[] = ['openid-configuration', 'oauth-authorization-server']

/**
 * Finds the issuer's JWKS URL: the `jwks_uri` of `<issuer>/.well-known/openid-configuration`,
 * or, when that answers 404 or 410, of `<issuer>/.well-known/oauth-authorization-server`
 * (RFC 8414), else `<issuer>/.well-known/jwks.json`. A definite answer (a document, or 404/410
 * from both) is remembered; after a transient failure the fallback serves this time and
 * discovery is tried again next time.
 */
export function createJwksUriDiscovery(
  options: JwksUriDiscoveryOptions,
): (signal: AbortSignal) => Promise<string> {
  const { issuer } = options
  const fallback = `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`
  let found: string | undefined

  return async function discoverJwksUri(signal) {
    if (found !== undefined) return found
    for (const name of DOCUMENTS) {
      const answer = await fetchIssuerMetadata({ fetch: options.fetch, issuer, name, signal })
      if (answer.kind === 'absent') continue
      if (answer.kind === 'failed') return fallback
      const jwksUri = answer.kind === 'found' ? answer.document.jwks_uri : undefined
      if (isHttpUrl(jwksUri)) {
        found = jwksUri
      } else {
        options.onWarning(
          `discovery document ignored (${name}): its issuer does not match or it has no http(s) jwks_uri`,
        )
        found = fallback
      }
      return found
    }
    // No document at all: remember the fallback.
    found = fallback
    return found
  }
}
