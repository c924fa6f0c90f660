import { describe, expect, it } from 'vitest'
import { fetchJwks } from './fetch-jwks.ts'
import { MAX_DOCUMENT_CHARS } from './read-bounded-text.ts'

/** A fetch that answers `response` and records the If-None-Match it was sent. */
function answering(response: () => Response) {
  const sent: (string | null)[] = []
  const fetch: typeof globalThis.fetch = async (_input, init) => {
    sent.push(new Headers(init?.headers).get('if-none-match'))
    return response()
  }
  return { fetch, sent }
}

const request = { url: 'https://id.example.test/jwks.json', signal: new AbortController().signal }

describe('fetchJwks', () => {
  it('returns the document with its ETag and max-age', async () => {
    const { fetch, sent } = answering(
      () => new Response('{"keys":[]}', { headers: { etag: '"v2"', 'cache-control': 'max-age=120' } }),
    )
    await expect(fetchJwks({ ...request, fetch, held: { etag: '"v1"' } })).resolves.toEqual({
      modified: true,
      document: { keys: [] },
      etag: '"v2"',
      maxAgeSec: 120,
    })
    expect(sent).toEqual(['"v1"'])
  })

  it('takes a 304 only for held keys, keeping their ETag when the answer names none', async () => {
    const { fetch } = answering(() => new Response(null, { status: 304 }))
    await expect(fetchJwks({ ...request, fetch, held: { etag: '"v1"' } })).resolves.toEqual({
      modified: false,
      etag: '"v1"',
      maxAgeSec: undefined,
    })
    await expect(fetchJwks({ ...request, fetch, held: undefined })).rejects.toThrow('HTTP 304')
  })

  it('refuses another status, a body that is not JSON, and a body over the size bound', async () => {
    const cases: [() => Response, RegExp][] = [
      [() => new Response('down', { status: 503 }), /HTTP 503/],
      [() => new Response('<html>'), /not JSON/],
      [
        () => new Response('x', { headers: { 'content-length': String(MAX_DOCUMENT_CHARS + 1) } }),
        /too large/,
      ],
      [() => new Response(`{"keys":"${'x'.repeat(MAX_DOCUMENT_CHARS)}"}`), /too large/],
    ]
    for (const [response, message] of cases) {
      const { fetch } = answering(response)
      await expect(fetchJwks({ ...request, fetch, held: undefined })).rejects.toThrow(message)
    }
  })
})
