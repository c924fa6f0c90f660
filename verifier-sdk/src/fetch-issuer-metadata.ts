import { describeError } from './keys/describe-error.ts'
import { readBoundedText } from './keys/read-bounded-text.ts'

/** The issuer's metadata documents: OpenID Connect discovery, and RFC 8414's. */
export type MetadataDocumentName = 'openid-configuration' | 'oauth-authorization-server'

/** What asking the issuer for one metadata document gave. */
export type MetadataAnswer =
  /** The issuer's document: a JSON object whose `issuer` is exactly the expected issuer. */
  | { readonly kind: 'found'; readonly document: Readonly<Record<string, unknown>> }
  /** 404 or 410: the issuer has no such document, a definite answer. */
  | { readonly kind: 'absent'; readonly status: number }
  /** A document, but not this issuer's (or not an object): definite too, and worth a warning. */
  | { readonly kind: 'ignored' }
  /** A transient failure (network, other status, unreadable body): worth asking again later. */
  | { readonly kind: 'failed'; readonly detail: string; readonly status?: number; readonly error?: unknown }

export interface MetadataRequest {
  readonly fetch: typeof globalThis.fetch
  /** The expected issuer, compared exactly with the document's `issuer` (RFC 8414 §3.3). */
  readonly issuer: string
  readonly name: MetadataDocumentName
  readonly signal?: AbortSignal
}

/**
 * Fetches `<issuer>/.well-known/<name>`, bounded in size. The document is appended to the issuer
 * URL, as tokensmith serves both (for an issuer without a path this is also RFC 8414's URL).
 */
export async function fetchIssuerMetadata(request: MetadataRequest): Promise<MetadataAnswer> {
  const { issuer, name, signal } = request
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/${name}`
  let response: Response
  try {
    response = await request.fetch(url, {
      headers: { accept: 'application/json' },
      ...(signal === undefined ? {} : { signal }),
    })
  } catch (error) {
    return { kind: 'failed', detail: describeError(error), error }
  }
  if (!response.ok) {
    await response.body?.cancel()
    const { status } = response
    if (status === 404 || status === 410) return { kind: 'absent', status }
    return { kind: 'failed', detail: `HTTP ${status}`, status }
  }
  let document: unknown
  try {
    document = JSON.parse(await readBoundedText(response))
  } catch (error) {
    return { kind: 'failed', detail: describeError(error), status: response.status }
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return { kind: 'ignored' }
  const found = document as Readonly<Record<string, unknown>>
  return found.issuer === issuer ? { kind: 'found', document: found } : { kind: 'ignored' }
}
