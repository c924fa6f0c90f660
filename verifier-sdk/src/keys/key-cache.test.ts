import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createVerifier, type Verifier } from '../create-verifier.ts'
import { VerifyError } from '../errors.ts'
import { type JwksServer, startJwksServer } from '../testing/jwks-server.ts'
import { accessToken, createTestKey, T0, TEST_AUDIENCE, type TestKey } from '../testing/test-key.ts'
import type { VerifierOptions } from '../verifier-options.ts'

const keyA = createTestKey('RS256')
const keyB = createTestKey('RS256')

let server: JwksServer
let now: number
/** JWKS requests as the verifier makes them (the server sees them a moment later). */
let jwksFetches: number
const countingFetch: typeof globalThis.fetch = (input, init) => {
  if (String(input) === server.jwksUrl) jwksFetches++
  return globalThis.fetch(input, init)
}
const verifiers: Verifier[] = []

beforeEach(async () => {
  server = await startJwksServer()
  server.keys = [keyA.publicJwk]
  now = T0
  jwksFetches = 0
})

afterEach(async () => {
  for (const v of verifiers.splice(0)) v.close()
  await server.close()
})

function make(options: Partial<VerifierOptions> = {}): Verifier {
  const v = createVerifier({
    issuer: server.issuer,
    audience: TEST_AUDIENCE,
    clock: () => now,
    fetch: countingFetch,
    // These cases count the key cache's own discovery requests; the feed has its own tests.
    revocation: false,
    ...options,
  })
  verifiers.push(v)
  return v
}

/** A token of `key` for the test server's issuer, valid around the tests' current clock. */
function token(key: TestKey, claims: Record<string, unknown> = {}): string {
  const iat = Math.floor(now / 1000)
  return accessToken(key, { iss: server.issuer, iat, exp: iat + 86_400 * 3, ...claims })
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (e: unknown) => (e instanceof VerifyError ? e.code : `unexpected ${String(e)}`),
  )
}

/** Lets background work (a refresh started without awaiting) finish. */
async function settle(v: Verifier): Promise<void> {
  await v.refreshKeys().catch(() => {})
}

describe('key cache: where keys come from', () => {
  it('finds the JWKS through discovery', async () => {
    const custom = await startJwksServer('/keys/current')
    try {
      custom.keys = [keyA.publicJwk]
      server.discovery = { issuer: server.issuer, jwks_uri: custom.jwksUrl }
      const v = make()
      expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
      expect(server.discoveryRequests).toBe(1)
      expect(custom.jwksRequests).toHaveLength(1)
      expect(server.jwksRequests).toHaveLength(0)
    } finally {
      await custom.close()
    }
  })

  it('ignores a discovery document for another issuer, and falls back to /.well-known/jwks.json', async () => {
    server.discovery = { issuer: 'https://evil.test', jwks_uri: 'http://127.0.0.1:1/keys' }
    const warnings: string[] = []
    const v = make({ onWarning: (m) => warnings.push(m) })
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
    expect(server.jwksRequests).toHaveLength(1)
    expect(warnings.join()).toMatch(/discovery document ignored/)
  })

  it('falls back to /.well-known/jwks.json without a discovery document', async () => {
    const v = make()
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
    expect(server.discoveryRequests).toBe(1)
    // The absence is remembered.
    await v.refreshKeys()
    expect(server.discoveryRequests).toBe(1)
    expect(server.jwksRequests).toHaveLength(2)
  })

  it('finds the JWKS through the RFC 8414 document when OpenID discovery answers 404', async () => {
    const custom = await startJwksServer('/oauth/keys')
    try {
      custom.keys = [keyA.publicJwk]
      server.authorizationServer = {
        issuer: server.issuer,
        jwks_uri: custom.jwksUrl,
        token_endpoint: `${server.issuer}/oauth/token`,
      }
      const v = make()
      expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
      expect([server.discoveryRequests, server.authorizationServerRequests]).toEqual([1, 1])
      expect(custom.jwksRequests).toHaveLength(1)
      expect(server.jwksRequests).toHaveLength(0)
      // Found once: refreshes go straight to the JWKS.
      await v.refreshKeys()
      expect([server.discoveryRequests, server.authorizationServerRequests]).toEqual([1, 1])
      expect(custom.jwksRequests).toHaveLength(2)
    } finally {
      await custom.close()
    }
  })

  it('prefers the OpenID document when both exist', async () => {
    server.discovery = { issuer: server.issuer, jwks_uri: server.jwksUrl }
    server.authorizationServer = { issuer: server.issuer, jwks_uri: 'http://127.0.0.1:1/keys' }
    const v = make()
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
    expect(server.authorizationServerRequests).toBe(0)
  })

  it('ignores an RFC 8414 document for another issuer, and falls back to /.well-known/jwks.json', async () => {
    server.authorizationServer = { issuer: 'https://evil.test', jwks_uri: 'http://127.0.0.1:1/keys' }
    const warnings: string[] = []
    const v = make({ onWarning: (m) => warnings.push(m) })
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
    expect(server.jwksRequests).toHaveLength(1)
    expect(warnings.join()).toMatch(/discovery document ignored \(oauth-authorization-server\)/)
  })

  it('falls back to /.well-known/jwks.json when neither document exists, asking each once', async () => {
    const v = make()
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
    await v.refreshKeys()
    expect([server.discoveryRequests, server.authorizationServerRequests]).toEqual([1, 1])
    expect(server.jwksRequests).toHaveLength(2)
  })

  it('asks again after a transient failure of the RFC 8414 document', async () => {
    const answers = [503]
    const v = make({
      fetch: (input, init) => {
        if (String(input).endsWith('/oauth-authorization-server') && answers.length > 0) {
          return Promise.resolve(new Response('down', { status: answers.shift() }))
        }
        return countingFetch(input, init)
      },
    })
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok') // the fallback serves this time
    server.authorizationServer = { issuer: server.issuer, jwks_uri: server.jwksUrl }
    await v.refreshKeys()
    expect(server.authorizationServerRequests).toBe(1) // the first went to the stub
    expect(server.discoveryRequests).toBe(2)
  })

  it('uses a given jwksUri without discovery', async () => {
    const v = make({ jwksUri: server.jwksUrl })
    await v.ready()
    expect(server.discoveryRequests).toBe(0)
    expect(server.jwksRequests).toHaveLength(1)
  })

  it('reads a jwksFile at creation and again on refreshKeys', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verifier-'))
    const file = join(dir, 'jwks.json')
    const { writeFile } = await import('node:fs/promises')
    await writeFile(file, JSON.stringify({ keys: [keyA.publicJwk] }))
    const v = make({ jwksFile: file })
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
    expect(await codeOf(v.verify(token(keyB)))).toBe('invalid_token')
    await writeFile(file, JSON.stringify({ keys: [keyB.publicJwk] }))
    await v.refreshKeys()
    expect(await codeOf(v.verify(token(keyB)))).toBe('ok')
    expect(await codeOf(v.verify(token(keyA)))).toBe('invalid_token')
    expect(server.jwksRequests).toHaveLength(0)
  })
})

describe('key cache: freshness', () => {
  it('sends If-None-Match and keeps the keys on 304', async () => {
    server.etag = '"v1"'
    server.cacheControl = 'max-age=60'
    const v = make({ jwksUri: server.jwksUrl })
    await v.ready()
    await v.refreshKeys()
    expect(server.jwksRequests).toEqual([undefined, '"v1"'])
    // The 304 carried no keys; the old ones still verify.
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
  })

  it('honours max-age within bounds, refreshing in the background before expiry', async () => {
    server.cacheControl = 'public, max-age=100'
    const v = make({ jwksUri: server.jwksUrl })
    await v.ready()
    expect(server.jwksRequests).toHaveLength(1)
    now += 79_000 // before 80% of max-age: no refresh
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
    await settle(v) // (this itself fetches once: count it)
    expect(server.jwksRequests).toHaveLength(2)
    now += 81_000
    // Past 80% of the lifetime: verify answers from memory at once and starts one refresh.
    server.gate = new Promise(() => {}) // the refresh hangs: verify must not wait for it
    const results = await Promise.all(Array.from({ length: 10 }, () => codeOf(v.verify(token(keyA)))))
    expect(results.every((r) => r === 'ok')).toBe(true)
    expect(jwksFetches).toBe(3)
  })

  it('bounds a tiny or huge max-age', async () => {
    server.cacheControl = 'max-age=1'
    const v = make({ jwksUri: server.jwksUrl })
    await v.ready()
    now += 20_000 // inside the 30 s lower bound (refresh-ahead at 24 s)
    await v.verify(token(keyA))
    expect(jwksFetches).toBe(1)

    server.cacheControl = 'max-age=999999'
    await v.refreshKeys()
    expect(server.jwksRequests).toHaveLength(2)
    now += 600_000 // past the 600 s upper bound
    await v.verify(token(keyA))
    expect(jwksFetches).toBe(3)
  })

  it('refreshes on a timer even without traffic, and close() stops it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      let calls = 0
      const fetch: typeof globalThis.fetch = async () => {
        calls++
        return new Response(JSON.stringify({ keys: [keyA.publicJwk] }), {
          headers: { 'cache-control': 'max-age=100' },
        })
      }
      const v = make({ jwksUri: 'https://id.example.test/jwks.json', fetch })
      await v.ready()
      expect(calls).toBe(1)
      expect(vi.getTimerCount()).toBe(1)
      now += 80_000
      await vi.advanceTimersByTimeAsync(80_000)
      expect(calls).toBe(2)
      v.close()
      expect(vi.getTimerCount()).toBe(0)
      now += 200_000
      await vi.advanceTimersByTimeAsync(200_000)
      expect(calls).toBe(2)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('key cache: fetching once', () => {
  it('makes one fetch for any number of concurrent cold misses', async () => {
    let open = () => {}
    server.gate = new Promise((resolve) => {
      open = resolve
    })
    const v = make({ jwksUri: server.jwksUrl })
    const pending = Array.from({ length: 100 }, () => codeOf(v.verify(token(keyA))))
    await new Promise((resolve) => setTimeout(resolve, 20))
    open()
    expect(await Promise.all(pending)).toEqual(Array(100).fill('ok'))
    expect(server.jwksRequests).toHaveLength(1)
    // Explicit refreshes share one fetch too.
    await Promise.all(Array.from({ length: 20 }, () => v.refreshKeys()))
    expect(server.jwksRequests).toHaveLength(2)
  })

  it('keeps no ref on the event loop: its refresh timer is unref()ed', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const before = timers()
    const v = make({ jwksUri: server.jwksUrl })
    await v.ready()
    expect(timers()).toBe(before)
  })

  it('under a flood of random kids, costs at most 5 JWKS fetches in any minute, 2 a minute as it lasts', async () => {
    const v = make({ jwksUri: server.jwksUrl })
    await v.ready()
    // Random kids on a real token's payload and signature (an attacker need not sign anything).
    const [, payload, signature] = token(keyA).split('.')
    const randomKidToken = () => {
      const header = { alg: 'RS256', typ: 'at+jwt', kid: randomBytes(12).toString('hex') }
      return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload}.${signature}`
    }
    const flood = () => Promise.all(Array.from({ length: 20 }, () => codeOf(v.verify(randomKidToken()))))
    expect(new Set(await flood())).toEqual(new Set(['invalid_token']))
    expect(jwksFetches).toBe(1) // the flood came right after a fetch: none at all
    // Four minutes of flood, a burst each second (within the JWKS freshness: no regular refresh).
    const start = now
    const fetchedAt: number[] = []
    for (let s = 1; s <= 240; s++) {
      now = start + s * 1000
      const before = jwksFetches
      expect(new Set(await flood())).toEqual(new Set(['invalid_token']))
      if (jwksFetches > before) fetchedAt.push(s)
    }
    expect(jwksFetches - 1).toBe(fetchedAt.length) // single flight: one fetch a second at most
    expect(fetchedAt.slice(0, 7)).toEqual([1, 3, 7, 15, 31, 61, 91])
    const inMinute = (from: number) => fetchedAt.filter((t) => t >= from && t < from + 60).length
    expect(Math.max(...fetchedAt.map(inMinute))).toBe(5)
    expect(inMinute(180)).toBe(2)
    // Good tokens kept verifying throughout.
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
  })

  it('a kid published just after a fetch: its token waits for the refetch due within a second, not refused', async () => {
    now = Date.now()
    const v = make({ jwksUri: server.jwksUrl, clock: Date.now })
    await v.ready()
    server.keys = [keyA.publicJwk, keyB.publicJwk] // the issuer starts signing with B right after
    expect(await codeOf(v.verify(token(keyB)))).toBe('ok')
    expect(jwksFetches).toBe(2)
    // The refetch found its kid, so the backoff starts from one second again.
    const keyC = createTestKey('RS256')
    server.keys = [keyB.publicJwk, keyC.publicJwk]
    expect(await codeOf(v.verify(token(keyC)))).toBe('ok')
    expect(jwksFetches).toBe(3)
  })
})

describe('key cache: rotation', () => {
  it('picks up a new key on its first token and drops a retired one at the next refresh', async () => {
    const v = make({ jwksUri: server.jwksUrl })
    await v.ready()
    // genkeys publishes B as `next`, then B becomes current.
    server.keys = [keyA.publicJwk, keyB.publicJwk]
    now += 31_000
    expect(await codeOf(v.verify(token(keyB)))).toBe('ok')
    expect(server.jwksRequests).toHaveLength(2)
    // A is retired: gone from the JWKS.
    server.keys = [keyB.publicJwk]
    await v.refreshKeys()
    expect(await codeOf(v.verify(token(keyA)))).toBe('invalid_token')
    expect(await codeOf(v.verify(token(keyB)))).toBe('ok')
  })
})

describe('key cache: when the issuer is down', () => {
  for (const [label, mode] of [
    ['answers 503', 503],
    ['answers garbage', 'garbage'],
    ['answers a JWKS with no usable key', 'weak'],
  ] as const) {
    it(`keeps the last good keys while the issuer ${label}, then fails closed`, async () => {
      server.cacheControl = 'max-age=300'
      const v = make({ jwksUri: server.jwksUrl, maxStaleSec: 3600 })
      await v.ready()
      if (mode === 'weak') server.keys = [createTestKey('RS256', 1024).publicJwk]
      else server.mode = mode
      await expect(v.refreshKeys()).rejects.toMatchObject({
        code: 'keys_unavailable',
        reason: 'refresh_failed',
      })
      now += 300_000 + 3_599_000 // just inside the staleness bound
      expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
      await settle(v)
      now += 2_000 // past it
      expect(await codeOf(v.verify(token(keyA)))).toBe('keys_unavailable')
      // Fails closed for unknown kids too, and says so (503), not "bad token" (401).
      const error = await v.verify(token(keyB)).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'keys_unavailable', status: 503, reason: 'stale' })
      // The issuer comes back: verification resumes without a restart.
      server.mode = 'ok'
      server.keys = [keyA.publicJwk]
      now += 60_000
      expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
    })
  }

  it('bounds fetches while cold and down, and ready() rejects with keys_unavailable', async () => {
    server.mode = 500
    const v = make({ jwksUri: server.jwksUrl })
    await expect(v.ready()).rejects.toMatchObject({
      code: 'keys_unavailable',
      status: 503,
      reason: 'refresh_failed',
    })
    // Never loaded is not the same as stale: the error says which.
    await expect(v.verify(token(keyA))).rejects.toMatchObject({ reason: 'not_loaded' })
    const results = await Promise.all(Array.from({ length: 50 }, () => codeOf(v.verify(token(keyA)))))
    expect(new Set(results)).toEqual(new Set(['keys_unavailable']))
    expect(server.jwksRequests).toHaveLength(1)
    now += 1_000 // the first retry is due
    server.mode = 'ok'
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
    expect(server.jwksRequests).toHaveLength(2)
  })

  it('survives a connection refused', async () => {
    const v = make({ jwksUri: server.jwksUrl })
    await v.ready()
    await server.close()
    await expect(v.refreshKeys()).rejects.toMatchObject({ code: 'keys_unavailable' })
    expect(await codeOf(v.verify(token(keyA)))).toBe('ok')
    server = await startJwksServer() // for afterEach
  })
})

describe('key cache: cacheFile', () => {
  it('persists the last good JWKS atomically and cold-starts from it before the issuer answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verifier-'))
    const cacheFile = join(dir, 'nested', 'jwks-cache.json')
    server.etag = '"e1"'
    const first = make({ jwksUri: server.jwksUrl, cacheFile })
    await first.ready()
    const stored = JSON.parse(await readFile(cacheFile, 'utf8'))
    expect(stored).toMatchObject({
      version: 1,
      issuer: server.issuer,
      etag: '"e1"',
      jwks: { keys: [{ kid: keyA.kid }] },
    })
    expect(JSON.stringify(stored)).not.toMatch(/"d":/)
    expect((await readdir(join(dir, 'nested'))).filter((f) => f.endsWith('.tmp'))).toEqual([])

    // A new process starts while the issuer hangs: it verifies from the file at once.
    server.gate = new Promise(() => {})
    const second = make({ jwksUri: server.jwksUrl, cacheFile })
    expect(await codeOf(second.verify(token(keyA)))).toBe('ok')
    await expect(second.ready()).resolves.toBeUndefined()
    // It did ask the issuer in the background (conditionally).
    expect(jwksFetches).toBe(2)
    while (server.jwksRequests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(server.jwksRequests).toEqual([undefined, '"e1"'])
  })

  it('ignores a cache file older than the staleness bound, or of another issuer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verifier-'))
    const cacheFile = join(dir, 'jwks-cache.json')
    const first = make({ jwksUri: server.jwksUrl, cacheFile, maxStaleSec: 60 })
    await first.ready()
    server.mode = 503
    now += 600_000 + 61_000
    const late = make({ jwksUri: server.jwksUrl, cacheFile, maxStaleSec: 60 })
    expect(await codeOf(late.verify(token(keyA)))).toBe('keys_unavailable')
    now = T0
    const other = make({ issuer: 'https://other.test', jwksUri: server.jwksUrl, cacheFile })
    expect(await codeOf(other.verify(token(keyA, { iss: 'https://other.test' })))).toBe('keys_unavailable')
  })
})
