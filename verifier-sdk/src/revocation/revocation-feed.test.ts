// The SDK following a revocation feed (the issuer's docs/issuer.md, "Revocation feed"), against a
// fake issuer on 127.0.0.1: token_revoked for an ended session or user, the result cache never
// bypassing it, documents refused unless signed by the issuer's key with the feed's own typ
// (RFC 8725 §3.11), retired keys refused at once, memory bounded by `until`, and both staleness
// policies.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createVerifier, type Verifier } from '../create-verifier.ts'
import { VerifyError } from '../errors.ts'
import { type FeedServer, startFeedServer } from '../testing/feed-server.ts'
import { accessToken, createTestKey, T0, TEST_AUDIENCE } from '../testing/test-key.ts'
import type { VerifierOptions } from '../verifier-options.ts'

const key = createTestKey()
let server: FeedServer
let now: number
let verifiers: Verifier[]
let warnings: string[]

beforeEach(async () => {
  server = await startFeedServer(key)
  now = T0 + 1000
  verifiers = []
  warnings = []
})
afterEach(async () => {
  for (const v of verifiers) v.close()
  await server.close()
})

function make(
  revocation: VerifierOptions['revocation'] = {},
  extra: Partial<VerifierOptions> = {},
): Verifier {
  const v = createVerifier({
    issuer: server.issuer,
    audience: TEST_AUDIENCE,
    clock: () => now,
    revocation,
    onWarning: (m) => warnings.push(m),
    ...extra,
  })
  verifiers.push(v)
  return v
}

const token = (claims: Record<string, unknown> = {}) => accessToken(key, { iss: server.issuer, ...claims })

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (e: unknown) => (e instanceof VerifyError ? `${e.code}:${e.status}` : `thrown:${String(e)}`),
  )
}

const until = () => now + 900_000
const eventually = async (check: () => Promise<boolean>, ms = 3000) => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('not within the time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe.each([
  { mode: 'stream', options: {} },
  { mode: 'poll', options: { stream: false, pollIntervalMs: 50 } },
])('following the feed ($mode)', ({ options }) => {
  it('refuses a token whose session was ended, with token_revoked (401), and keeps others', async () => {
    const v = make(options)
    await v.ready()
    expect(await codeOf(v.verify(token({ sid: 'sid-1' })))).toBe('ok')
    server.state.sessions.push({ sid: 'sid-1', at: now, until: until() })
    server.state.cursor = 1
    server.push()
    await eventually(async () => (await codeOf(v.verify(token({ sid: 'sid-1' })))) === 'token_revoked:401')
    expect(await codeOf(v.verify(token({ sid: 'sid-2' })))).toBe('ok')
  })
})

describe('what the feed ends', () => {
  it('a user: every token issued at or before the instant (iat in seconds), none after', async () => {
    server.state.users.push({ sub: 'user-1', before: T0 + 500, until: until() })
    server.state.cursor = 1
    const v = make()
    await v.ready()
    expect(await codeOf(v.verify(token({ iat: T0 / 1000 })))).toBe('token_revoked:401')
    expect(await codeOf(v.verify(token({ iat: T0 / 1000 + 1 })))).toBe('ok')
    expect(await codeOf(v.verify(token({ sub: 'user-2', iat: T0 / 1000 })))).toBe('ok')
  })

  it('the verified-result cache never answers for a revoked token', async () => {
    const v = make({}, { cache: { maxEntries: 100 } })
    await v.ready()
    const t = token({ sid: 'sid-c' })
    expect(await codeOf(v.verify(t))).toBe('ok')
    expect(await codeOf(v.verify(t))).toBe('ok')
    server.state.sessions.push({ sid: 'sid-c', at: now, until: until() })
    server.state.cursor = 1
    server.push()
    await eventually(async () => (await codeOf(v.verify(t))) === 'token_revoked:401')
  })

  it('a retired key: its tokens are refused at once; a published one unknown to the cache is fetched', async () => {
    const v = make()
    await v.ready()
    expect(await codeOf(v.verify(token()))).toBe('ok')
    const jwksBefore = server.requests['/jwks'] ?? 0
    server.state.keys = [
      { kid: key.kid, event: 'retired', at: now },
      { kid: 'next-key', event: 'published', at: now },
    ]
    server.state.cursor = 1
    server.push()
    await eventually(async () => (await codeOf(v.verify(token()))) === 'invalid_token:401')
    await eventually(async () => (server.requests['/jwks'] ?? 0) > jwksBefore)
  })

  it.each([
    ['without', {}],
    ['with', { cache: { maxEntries: 100 } }],
  ])(
    'a retired key that also left the JWKS (%s the result cache): refused by the feed at once, never by an unknown-kid refetch',
    async (_name, extra) => {
      // As the issuer does it: another key signs the feed, the retired one leaves the JWKS and the
      // feed tells `retired`. The verifier refetches the JWKS once; the retired key's tokens are
      // refused from the feed's list before any key lookup, so none waits out the unknown-kid
      // backoff or sends a request (the delay the retired-key proof measured).
      const feedKey = createTestKey()
      server.signer = feedKey
      server.keys = [key.publicJwk, feedKey.publicJwk]
      const v = make({}, extra)
      await v.ready()
      const old = token()
      expect(await codeOf(v.verify(old))).toBe('ok')
      expect(await codeOf(v.verify(old))).toBe('ok')
      const jwksBefore = server.requests['/jwks'] ?? 0
      server.keys = [feedKey.publicJwk]
      server.state.keys = [
        { kid: key.kid, event: 'retired', at: now },
        { kid: feedKey.kid, event: 'promoted', at: now },
      ]
      server.state.cursor = 1
      server.push()
      await eventually(async () => (await codeOf(v.verify(old))) === 'invalid_token:401')
      await eventually(async () => (server.requests['/jwks'] ?? 0) === jwksBefore + 1)
      const refusals = await Promise.all(
        Array.from({ length: 10 }, () =>
          v.verify(old).then(
            () => undefined,
            (e: unknown) => e,
          ),
        ),
      )
      for (const e of refusals) {
        expect(e).toBeInstanceOf(VerifyError)
        expect((e as VerifyError).detail).toBe('the signing key was retired (revocation feed)')
      }
      expect(server.requests['/jwks']).toBe(jwksBefore + 1)
      expect(await codeOf(v.verify(accessToken(feedKey, { iss: server.issuer })))).toBe('ok')
    },
  )

  it('holds entries only until their until: memory is bounded by one access-token lifetime', async () => {
    server.state.sessions = Array.from({ length: 50 }, (_, i) => ({
      sid: `s-${i}`,
      at: now,
      until: now + 1000 + i,
    }))
    server.state.cursor = 1
    const v = make()
    await v.ready()
    expect(v.revocationEntries()).toBe(50)
    now += 1025
    expect(await codeOf(v.verify(token({ sid: 's-10' })))).toBe('ok')
    expect(await codeOf(v.verify(token({ sid: 's-40' })))).toBe('token_revoked:401')
    await eventually(async () => v.revocationEntries() === 24)
  })
})

describe('documents are trusted only when they verify', () => {
  it.each([
    ['an access token typ', (s: FeedServer) => (s.typ = 'at+jwt')],
    ['another key', (s: FeedServer) => (s.signer = createTestKey())],
  ])('ignores a document with %s', async (_name, spoil) => {
    spoil(server)
    server.state.sessions.push({ sid: 'sid-1', at: now, until: until() })
    server.state.cursor = 1
    // ready() waits for a first document only as long as one request may take.
    const v = make({}, { fetchTimeoutMs: 300, unknownKidCooldownSec: 0 })
    await v.ready()
    expect(await codeOf(v.verify(token({ sid: 'sid-1' })))).toBe('ok')
    expect(warnings.some((w) => w.startsWith('revocation feed document refused'))).toBe(true)
  })

  it('a feed document is never accepted as an access token', async () => {
    const v = make()
    await v.ready()
    const feedAsToken = key.sign(
      { alg: 'RS256', kid: key.kid, typ: 'revocation-feed+jwt' },
      {
        iss: server.issuer,
        aud: TEST_AUDIENCE,
        sub: 'user-1',
        exp: T0 / 1000 + 900,
        iat: T0 / 1000,
      },
    )
    expect(await codeOf(v.verify(feedAsToken))).toBe('invalid_token:401')
  })
})

describe('staleness', () => {
  it('fails closed by default past maxStaleSec: 503 revocation_unavailable', async () => {
    const v = make({ maxStaleSec: 5, stream: false, pollIntervalMs: 50 })
    await v.ready()
    expect(await codeOf(v.verify(token()))).toBe('ok')
    expect(server.requests['/revocations'] ?? 0).toBeGreaterThan(0)
    await server.close()
    now += 6000
    await eventually(async () => (await codeOf(v.verify(token()))) === 'revocation_unavailable:503')
  })

  it("'report' keeps verifying past the bound and reports it once", async () => {
    const reports: boolean[] = []
    const v = make({
      maxStaleSec: 5,
      whenStale: 'report',
      onStale: (stale) => reports.push(stale),
      stream: false,
      pollIntervalMs: 50,
    })
    await v.ready()
    await server.close()
    now += 6000
    expect(await codeOf(v.verify(token({ iat: T0 / 1000 + 6, exp: T0 / 1000 + 900 })))).toBe('ok')
    await eventually(async () => reports.length === 1)
    expect(reports).toEqual([true])
  })

  it('an issuer without a feed in its metadata is not followed, and never goes stale', async () => {
    server.advertise = { document: false, stream: false }
    const v = make()
    await v.ready()
    now += 3_600_000 - 1000
    expect(await codeOf(v.verify(token({ iat: (now - 1000) / 1000, exp: now / 1000 + 600 })))).toBe('ok')
    expect(server.requests['/revocations'] ?? 0).toBe(0)
  })

  it('revocation: false asks the issuer nothing about a feed', async () => {
    const v = make(false)
    await v.ready()
    expect(server.requests['/.well-known/oauth-authorization-server'] ?? 0).toBeLessThanOrEqual(1)
    expect(server.requests['/revocations/stream'] ?? 0).toBe(0)
    expect(server.requests['/revocations'] ?? 0).toBe(0)
  })
})
