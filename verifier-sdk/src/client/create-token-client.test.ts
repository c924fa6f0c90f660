import { Hono } from 'hono'
import { beforeEach, describe, expect, it } from 'vitest'
import { TokenClientError } from '../errors.ts'
import { createTokenClient } from './create-token-client.ts'

/**
 * A fake issuer plus one API, as a Hono app reached through the injected fetch. Tokens are
 * opaque strings; the API accepts only the newest access token unless told it expired.
 */
function fakeIssuer() {
  const state = {
    generation: 1,
    refreshCalls: 0,
    loginCalls: 0,
    logoutBodies: [] as unknown[],
    apiAuthorizations: [] as (string | undefined)[],
    accessExpired: false,
    refreshAnswer: undefined as { status: 401 | 503; code: string } | undefined,
    /** Refreshes wait for this while set. */
    gate: undefined as Promise<void> | undefined,
    /** The next API request waits for this (once). */
    holdNextApi: undefined as Promise<void> | undefined,
  }
  const pair = () => ({
    accessToken: `at-${state.generation}`,
    refreshToken: `rt-${state.generation}`,
    expiresIn: 900,
    tokenType: 'Bearer',
  })
  const app = new Hono()
  app.post('/auth/login', async (c) => {
    state.loginCalls++
    const body = await c.req.json()
    if (body.username !== 'ada' || body.password !== 'correct horse') {
      return c.json({ code: 'invalid_credentials', error: 'Wrong username or password.' }, 401)
    }
    return c.json(pair())
  })
  app.post('/auth/refresh', async (c) => {
    state.refreshCalls++
    const { refreshToken } = await c.req.json()
    if (state.gate !== undefined) await state.gate
    if (state.refreshAnswer !== undefined) {
      return c.json({ code: state.refreshAnswer.code, error: 'No.' }, state.refreshAnswer.status)
    }
    if (refreshToken !== `rt-${state.generation}`) {
      return c.json({ code: 'reuse_detected', error: 'Refresh token reuse detected.' }, 401)
    }
    state.generation++
    state.accessExpired = false
    return c.json(pair())
  })
  app.post('/auth/logout', async (c) => {
    state.logoutBodies.push(await c.req.json())
    return c.json({ ok: true })
  })
  app.all('/api/echo', async (c) => {
    const authorization = c.req.header('authorization')
    state.apiAuthorizations.push(authorization)
    const expired = state.accessExpired
    const hold = state.holdNextApi
    state.holdNextApi = undefined
    if (hold !== undefined) await hold
    if (authorization !== `Bearer at-${state.generation}` && !expired) {
      return c.json({ code: 'invalid_token', error: 'The access token is invalid.' }, 401)
    }
    if (expired) return c.json({ code: 'token_expired', error: 'The access token has expired.' }, 401)
    return c.json({ ok: true, body: c.req.method === 'POST' ? await c.req.text() : null })
  })
  const fetch: typeof globalThis.fetch = (input, init) => Promise.resolve(app.request(String(input), init))
  return { state, fetch }
}

const ISSUER = 'http://issuer.test'
const API = 'http://api.test/api/echo'

describe('createTokenClient', () => {
  let issuer: ReturnType<typeof fakeIssuer>
  let now: number
  let ended: string[]
  let client: ReturnType<typeof createTokenClient>

  beforeEach(() => {
    issuer = fakeIssuer()
    now = 1_000_000
    ended = []
    client = createTokenClient({
      issuer: ISSUER,
      fetch: issuer.fetch,
      clock: () => now,
      onSessionEnded: (reason) => ended.push(reason),
    })
  })

  it('logs in and attaches the bearer', async () => {
    await client.login('ada', 'correct horse')
    const res = await client.fetch(API)
    expect(res.status).toBe(200)
    expect(issuer.state.apiAuthorizations).toEqual(['Bearer at-1'])
    expect(client.isLoggedIn()).toBe(true)
  })

  it('keeps the caller headers and sends no bearer before login', async () => {
    const res = await client.fetch(API, { headers: { 'x-trace': '1' } })
    expect(res.status).toBe(401)
    expect(issuer.state.apiAuthorizations).toEqual([undefined])
  })

  it('reports a refused login with the issuer code', async () => {
    const error = await client.login('ada', 'wrong').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TokenClientError)
    expect(error).toMatchObject({ code: 'invalid_credentials', status: 401 })
    expect(client.isLoggedIn()).toBe(false)
  })

  it('refreshes once for 20 concurrent calls that meet token_expired, and retries each', async () => {
    await client.login('ada', 'correct horse')
    issuer.state.accessExpired = true
    let open = () => {}
    issuer.state.gate = new Promise((resolve) => {
      open = resolve
    })
    const calls = Array.from({ length: 20 }, (_, i) =>
      client.fetch(API, { method: 'POST', body: `call-${i}` }),
    )
    await new Promise((resolve) => setTimeout(resolve, 20))
    open()
    const responses = await Promise.all(calls)
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200))
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { body: string }[]
    expect(bodies.map((b) => b.body)).toEqual(Array.from({ length: 20 }, (_, i) => `call-${i}`))
    expect(issuer.state.refreshCalls).toBe(1)
    // 20 first tries with the old token, 20 retries with the new one.
    expect(issuer.state.apiAuthorizations.filter((a) => a === 'Bearer at-2')).toHaveLength(20)
    expect(ended).toEqual([])
  })

  it('does not refresh again for a late 401 when another caller already refreshed', async () => {
    await client.login('ada', 'correct horse')
    issuer.state.accessExpired = true
    let release = () => {}
    issuer.state.holdNextApi = new Promise((resolve) => {
      release = resolve
    })
    const slow = client.fetch(API) // sent with at-1, held at the API
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect((await client.fetch(API)).status).toBe(200) // meets token_expired, refreshes to at-2
    expect(issuer.state.refreshCalls).toBe(1)
    release() // the slow call now gets its token_expired for at-1
    expect((await slow).status).toBe(200)
    expect(issuer.state.refreshCalls).toBe(1)
  })

  it('refreshes ahead when the access token is known to be expired by expiresIn', async () => {
    await client.login('ada', 'correct horse')
    now += 896_000 // within the 5 s skew of the 900 s lifetime
    const calls = Array.from({ length: 20 }, () => client.fetch(API))
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual(Array(20).fill(200))
    expect(issuer.state.refreshCalls).toBe(1)
    expect(issuer.state.apiAuthorizations).toEqual(Array(20).fill('Bearer at-2'))
  })

  it('ends the session once when the refresh token is refused, and tells every caller', async () => {
    await client.login('ada', 'correct horse')
    issuer.state.generation = 5 // someone else rotated the family: our refresh token is a reuse
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.fetch(API).then(
          (r) => r.status,
          (e: unknown) => e,
        ),
      ),
    )
    // The API answered invalid_token (the token is not the newest), not token_expired: no refresh.
    expect(outcomes).toEqual(Array(20).fill(401))
    expect(issuer.state.refreshCalls).toBe(0)

    issuer.state.generation = 1
    issuer.state.accessExpired = true
    issuer.state.refreshAnswer = { status: 401, code: 'reuse_detected' }
    const failures = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.fetch(API).then(
          (r) => r.status,
          (e: unknown) => e,
        ),
      ),
    )
    expect(failures.every((f) => f instanceof TokenClientError)).toBe(true)
    expect(issuer.state.refreshCalls).toBe(1)
    expect(ended).toEqual(['reuse_detected'])
    expect(client.isLoggedIn()).toBe(false)
  })

  it('keeps the session when the issuer is only unavailable', async () => {
    await client.login('ada', 'correct horse')
    issuer.state.accessExpired = true
    issuer.state.refreshAnswer = { status: 503, code: 'unavailable' }
    await expect(client.fetch(API)).rejects.toMatchObject({ code: 'unavailable', status: 503 })
    expect(ended).toEqual([])
    expect(client.isLoggedIn()).toBe(true)
    issuer.state.refreshAnswer = undefined
    expect((await client.fetch(API)).status).toBe(200)
  })

  it('does not replay a streamed body', async () => {
    await client.login('ada', 'correct horse')
    issuer.state.accessExpired = true
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('once'))
        controller.close()
      },
    })
    const res = await client.fetch(API, { method: 'POST', body, duplex: 'half' } as RequestInit)
    expect(res.status).toBe(401)
    expect(issuer.state.refreshCalls).toBe(0)
  })

  it('logs out with the refresh token and forgets the session', async () => {
    await client.login('ada', 'correct horse')
    await client.logout()
    expect(issuer.state.logoutBodies).toEqual([{ refreshToken: 'rt-1' }])
    expect(client.isLoggedIn()).toBe(false)
    await client.fetch(API)
    expect(issuer.state.apiAuthorizations).toEqual([undefined])
  })

  it('validates its options', () => {
    expect(() => createTokenClient({ issuer: 'issuer' })).toThrow(/"issuer"/)
    expect(() => createTokenClient({ issuer: ISSUER, fetch: 1 as never })).toThrow(/"fetch"/)
    expect(() => createTokenClient({ issuer: ISSUER, onSessionEnded: 'x' as never })).toThrow(
      /"onSessionEnded"/,
    )
    expect(() => createTokenClient({ issuer: ISSUER, clock: 0 as never })).toThrow(/"clock"/)
    for (const refreshSkewSec of [-1, Number.NaN, 3601, '5' as never]) {
      expect(() => createTokenClient({ issuer: ISSUER, refreshSkewSec })).toThrow(/"refreshSkewSec"/)
    }
    expect(() => createTokenClient(null as never)).toThrow(TypeError)
    expect(() => createTokenClient({ issuer: ISSUER, acount: true } as never)).toThrow(
      /unknown option "acount"/,
    )
    expect(() => createTokenClient({ issuer: ISSUER, account: 'yes' as never })).toThrow(/"account"/)
    expect(() => createTokenClient({ issuer: ISSUER, clientId: '' })).toThrow(/"clientId"/)
    expect(() => createTokenClient({ issuer: ISSUER, scope: ' a' })).toThrow(/"scope"/)
    expect(() => createTokenClient({ issuer: ISSUER, audience: 'orders' } as never)).toThrow(/"audience"/)
  })
})
