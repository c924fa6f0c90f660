// The revocation feed over HTTP (docs/issuer.md, "Revocation feed"): the signed document with its
// strong ETag (RFC 9110 §8.8.3) and 304, deltas by cursor, and the Server-Sent Events stream
// (WHATWG HTML §9.2) resuming from Last-Event-ID.

import { join } from 'node:path'
import fc from 'fast-check'
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FeedPayload } from '../core/revocations/feed-payload.ts'
import { retireKey } from '../keys/retire-key.ts'
import { createTestIssuer, TEST_ISSUER_URL, type TestIssuer } from '../testing/test-issuer.ts'

let t: TestIssuer
const PASSWORD = 'correct horse battery staple'

beforeEach(async () => {
  t = await createTestIssuer()
  await t.addUser('alice', PASSWORD)
})
afterEach(async () => {
  await t.cleanup()
})

async function login(scope?: string): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await t.request('/auth/login', {
    method: 'POST',
    json: { username: 'alice', password: PASSWORD, ...(scope === undefined ? {} : { scope }) },
  })
  expect(res.status).toBe(200)
  return (await res.json()) as { accessToken: string; refreshToken: string }
}

async function verified(jws: string): Promise<FeedPayload> {
  const jwks = (await (await t.request('/.well-known/jwks.json')).json()) as JSONWebKeySet
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks))
  expect(protectedHeader.typ).toBe('revocation-feed+jwt')
  return JSON.parse(new TextDecoder().decode(payload)) as FeedPayload
}

async function feed(query = ''): Promise<{ res: Response; payload: FeedPayload }> {
  await t.revocationFeed.poll()
  const res = await t.request(`/revocations${query}`)
  expect(res.status).toBe(200)
  return { res, payload: await verified(await res.text()) }
}

describe('GET /revocations', () => {
  it('serves a signed snapshot of ended sessions, with a strong ETag, a short Cache-Control and 304', async () => {
    const { accessToken, refreshToken } = await login()
    const sid = decodeJwt(accessToken).sid as string
    expect((await t.request('/auth/logout', { method: 'POST', json: { refreshToken } })).status).toBe(200)
    const { res, payload } = await feed()
    expect(res.headers.get('content-type')).toBe('application/revocation-feed+jwt')
    expect(res.headers.get('cache-control')).toBe('public, max-age=1')
    const etag = res.headers.get('etag')
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/)
    expect(payload).toMatchObject({ iss: TEST_ISSUER_URL, users: [] })
    expect(payload.since).toBeUndefined()
    expect(payload.sessions).toEqual([{ sid, at: t.now.ms, until: t.now.ms + (15 * 60 + 60) * 1000 }])
    // The signing key, and the standby every issuer keeps published (docs/keys.md).
    const signing = decodeProtectedHeader(accessToken).kid
    const jwks = (await (await t.request('/.well-known/jwks.json')).json()) as { keys: { kid: string }[] }
    const standby = jwks.keys.map((k) => k.kid).filter((kid) => kid !== signing)
    expect(standby).toHaveLength(1)
    // Both events carry the same instant here (the two keys were made together): no order between them.
    const byKid = (a: { kid?: string }, b: { kid?: string }) => ((a.kid ?? '') < (b.kid ?? '') ? -1 : 1)
    expect([...payload.keys].sort(byKid)).toEqual(
      [
        { kid: standby[0], event: 'published', at: expect.any(Number) },
        { kid: signing, event: 'promoted', at: expect.any(Number) },
      ].sort(byKid),
    )
    const again = await t.request('/revocations', { headers: { 'if-none-match': etag ?? '' } })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
  })

  it('answers a delta after a cursor, and the user-level entry of logout-all', async () => {
    const first = await login()
    await t.request('/auth/logout', { method: 'POST', json: { refreshToken: first.refreshToken } })
    const before = (await feed()).payload
    const second = await login('account')
    t.advance(1000)
    const res = await t.request('/auth/logout-all', {
      method: 'POST',
      headers: { authorization: `Bearer ${second.accessToken}` },
    })
    expect(await res.json()).toEqual({ ok: true, revoked: 1 })
    const delta = (await feed(`?since=${before.cursor}`)).payload
    expect(delta.since).toBe(before.cursor)
    expect(delta.cursor).toBeGreaterThan(before.cursor)
    expect(delta.sessions).toEqual([])
    expect(delta.users).toEqual([
      { sub: decodeJwt(second.accessToken).sub, before: t.now.ms, until: t.now.ms + (15 * 60 + 60) * 1000 },
    ])
    // A cursor ahead of the feed (a replaced store) gets a snapshot, which replaces the follower's state.
    const ahead = (await feed('?since=999999')).payload
    expect(ahead.since).toBeUndefined()
    expect(ahead.sessions).toHaveLength(1)
  })

  it('refuses a since that is no cursor', async () => {
    for (const bad of ['-1', 'abc', '1.5', '01', '9'.repeat(16), '']) {
      const res = await t.request(`/revocations?since=${encodeURIComponent(bad)}`)
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ code: 'invalid_request', error: expect.any(String) })
    }
  })

  it('property: any since or Last-Event-ID answers 200 or 400, never a server error', async () => {
    const cursorLike = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
    )
    await fc.assert(
      fc.asyncProperty(cursorLike, async (value) => {
        const doc = await t.request(`/revocations?since=${encodeURIComponent(value)}`)
        expect([200, 400]).toContain(doc.status)
        await doc.body?.cancel()
        // Header values cannot hold control characters: those are refused before the app.
        if (/^[\x20-\x7e]*$/.test(value)) {
          const controller = new AbortController()
          const stream = await t.request('/revocations/stream', {
            signal: controller.signal,
            headers: { 'last-event-id': value },
          })
          expect([200, 400]).toContain(stream.status)
          controller.abort()
        }
      }),
      { numRuns: 150 },
    )
  })

  it('is advertised in the RFC 8414 metadata', async () => {
    const meta = (await (await t.request('/.well-known/oauth-authorization-server')).json()) as Record<
      string,
      unknown
    >
    expect(meta.revocation_feed_endpoint).toBe(`${TEST_ISSUER_URL}/revocations`)
    expect(meta.revocation_feed_stream_endpoint).toBe(`${TEST_ISSUER_URL}/revocations/stream`)
  })
})

describe('GET /revocations/stream', () => {
  /** Reads SSE events (RFC-less framing of WHATWG HTML §9.2.6) from a response body. */
  function eventsOf(res: Response) {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    return async (): Promise<{ id?: string; event?: string; data: string }> => {
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields: { id?: string; event?: string; data: string } = { data: '' }
          for (const line of block.split('\n')) {
            const [name, ...rest] = line.split(': ')
            const value = rest.join(': ')
            if (name === 'id') fields.id = value
            else if (name === 'event') fields.event = value
            else if (name === 'data') fields.data += value
          }
          return fields
        }
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        buffer += decoder.decode(value, { stream: true })
      }
    }
  }

  it('sends a snapshot, then pushes each ending as a delta whose id is the new cursor', async () => {
    const controller = new AbortController()
    const res = await t.request('/revocations/stream', { signal: controller.signal })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const next = eventsOf(res)
    const first = await next()
    expect(first.event).toBe('feed')
    const snapshot = await verified(first.data)
    expect(snapshot.since).toBeUndefined()
    expect(first.id).toBe(String(snapshot.cursor))

    const { accessToken, refreshToken } = await login()
    await t.request('/auth/logout', { method: 'POST', json: { refreshToken } })
    const pushed = await next()
    const delta = await verified(pushed.data)
    expect(delta.since).toBe(snapshot.cursor)
    expect(delta.sessions.map((s) => s.sid)).toEqual([decodeJwt(accessToken).sid])
    expect(pushed.id).toBe(String(delta.cursor))
    controller.abort()
  })

  it('pushes a key retired on disk as soon as the keys are reloaded, not at the next store poll', async () => {
    // A poll interval far longer than the test: only the reload can be what tells the stream.
    await t.cleanup()
    t = await createTestIssuer({ REVOCATION_FEED_POLL_MS: '10000' })
    const controller = new AbortController()
    const next = eventsOf(await t.request('/revocations/stream', { signal: controller.signal }))
    const snapshot = await verified((await next()).data)
    const standby = snapshot.keys.find((k) => k.event === 'published')?.kid ?? ''
    expect(standby).not.toBe('')
    await retireKey(join(t.dir, 'keys'), standby, t.now.ms)
    expect(await t.reloadKeys()).toBe(true)
    const pushed = await Promise.race([
      next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not pushed')), 2000)),
    ])
    const delta = await verified(pushed.data)
    expect(delta.keys).toContainEqual({ kid: standby, event: 'retired', at: t.now.ms })
    controller.abort()
  })

  it('resumes from Last-Event-ID with the entries after it only', async () => {
    const one = await login()
    await t.request('/auth/logout', { method: 'POST', json: { refreshToken: one.refreshToken } })
    const cursor = (await feed()).payload.cursor
    const two = await login()
    await t.request('/auth/logout', { method: 'POST', json: { refreshToken: two.refreshToken } })
    await t.revocationFeed.poll()
    const controller = new AbortController()
    const res = await t.request('/revocations/stream', {
      signal: controller.signal,
      headers: { 'last-event-id': String(cursor) },
    })
    const delta = await verified((await eventsOf(res)()).data)
    expect(delta.since).toBe(cursor)
    expect(delta.sessions.map((s) => s.sid)).toEqual([decodeJwt(two.accessToken).sid])
    controller.abort()
    const bad = await t.request('/revocations/stream', { headers: { 'last-event-id': 'x' } })
    expect(bad.status).toBe(400)
  })
})
