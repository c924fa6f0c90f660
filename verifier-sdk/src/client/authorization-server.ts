import { fetchIssuerMetadata, type MetadataAnswer } from '../fetch-issuer-metadata.ts'
import { isHttpUrl } from '../is-http-url.ts'

/** The standard endpoints the issuer's RFC 8414 document offers. */
export interface OAuthEndpoints {
  readonly tokenEndpoint: string
  readonly revocationEndpoint: string | undefined
  /** `grant_types_supported`, or RFC 8414's default when the document omits it. */
  readonly grantTypes: ReadonlySet<string>
}

/** What the issuer's metadata says about the standard surface. */
export type AuthorizationServer =
  | { readonly kind: 'oauth'; readonly endpoints: OAuthEndpoints }
  /** No RFC 8414 document, or none of this issuer's, or one without a token endpoint. */
  | { readonly kind: 'none'; readonly status: number }
  /** Unknown for now: the metadata could not be fetched (asked again next time). */
  | { readonly kind: 'failed'; readonly answer: Extract<MetadataAnswer, { kind: 'failed' }> }

/** RFC 8414 section 2: without `grant_types_supported`, a server supports these. */
const DEFAULT_GRANT_TYPES = ['authorization_code', 'implicit']

function endpointsOf(document: Readonly<Record<string, unknown>>): OAuthEndpoints | undefined {
  const { token_endpoint, revocation_endpoint, grant_types_supported } = document
  if (!isHttpUrl(token_endpoint)) return undefined
  const grants = Array.isArray(grant_types_supported) ? grant_types_supported : DEFAULT_GRANT_TYPES
  return {
    tokenEndpoint: token_endpoint,
    revocationEndpoint: isHttpUrl(revocation_endpoint) ? revocation_endpoint : undefined,
    grantTypes: new Set(grants.filter((g): g is string => typeof g === 'string')),
  }
}

/**
 * The issuer's RFC 8414 metadata, fetched on first use: once, shared by concurrent callers
 * (single flight), and kept. A transient failure is not kept, so the next call asks again.
 */
export function createAuthorizationServerLookup(
  fetch: typeof globalThis.fetch,
  issuer: string,
): () => Promise<AuthorizationServer> {
  let known: AuthorizationServer | undefined
  let inflight: Promise<AuthorizationServer> | undefined

  async function lookUp(): Promise<AuthorizationServer> {
    const answer = await fetchIssuerMetadata({ fetch, issuer, name: 'oauth-authorization-server' })
    if (answer.kind === 'failed') return { kind: 'failed', answer }
    const endpoints = answer.kind === 'found' ? endpointsOf(answer.document) : undefined
    known =
      endpoints === undefined
        ? { kind: 'none', status: answer.kind === 'absent' ? answer.status : 200 }
        : { kind: 'oauth', endpoints }
    return known
  }

  return function authorizationServer() {
    if (known !== undefined) return Promise.resolve(known)
    inflight ??= lookUp().finally(() => {
      inflight = undefined
    })
    return inflight
  }
}
