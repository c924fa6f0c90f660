import { cacheMaxAge } from './cache-max-age.ts'
import { readBoundedText } from './read-bounded-text.ts'

export interface JwksFetchRequest {
  readonly fetch: typeof globalThis.fetch
  readonly url: string
  /** What the cache holds, if anything: then a 304 keeps it, and its ETag goes as If-None-Match. */
  readonly held: { readonly etag: string | undefined } | undefined
  /** Ends the request: the attempt's timeout. */
  readonly signal: AbortSignal
}

/** A JWKS answer: a new document, or the held one confirmed by a 304; with its Cache-Control max-age. */
export type JwksFetchResult =
  | {
      readonly modified: true
      readonly document: unknown
      readonly etag: string | undefined
      readonly maxAgeSec: number | undefined
    }
  | { readonly modified: false; readonly etag: string | undefined; readonly maxAgeSec: number | undefined }

/**
 * One conditional, bounded request for the JWKS. Throws (a plain Error, for the caller's warning)
 * on any answer other than 200 with JSON or a 304 for held keys, and on a body over the size bound.
 */
export async function fetchJwks({ fetch, url, held, signal }: JwksFetchRequest): Promise<JwksFetchResult> {
  const headers: Record<string, string> = { accept: 'application/jwk-set+json, application/json' }
  if (held?.etag !== undefined) headers['if-none-match'] = held.etag
  const response = await fetch(url, { headers, signal })
  const maxAgeSec = cacheMaxAge(response.headers.get('cache-control'))
  if (response.status === 304 && held !== undefined) {
    await response.body?.cancel()
    return { modified: false, etag: response.headers.get('etag') ?? held.etag, maxAgeSec }
  }
  if (response.status !== 200) {
    await response.body?.cancel()
    throw new Error(`JWKS endpoint answered HTTP ${response.status}`)
  }
  const text = await readBoundedText(response)
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw new Error('JWKS response is not JSON')
  }
  return { modified: true, document, etag: response.headers.get('etag') ?? undefined, maxAgeSec }
}
