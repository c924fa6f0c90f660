import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InsufficientUserAuthenticationError, TokenClientError } from '../errors.ts'
import { type OAuthIssuer, startOAuthIssuer } from '../testing/oauth-issuer.ts'
import { createTokenClient } from './create-token-client.ts'
import type { TokenClientOptions } from './token-client-options.ts'
import type { TokenClient } from './user-token-client.ts'

let issuer: OAuthIssuer
let now: number
let ended: string[]

beforeEach(async () => {
  issuer = await startOAuthIssuer()
  now = 1_000_000
  ended = []
})

afterEach(() => issuer.close())

function client(options: Partial<TokenClientOptions> = {}): TokenClient {
  return createTokenClient({
    issuer: issuer.url,
    clock: () => now,
    onSessionEnded: (reason) => ended.push(reason),
    ...options,
  })
}

const api = () => `${issuer.url}/api/echo`
const grants = () => issuer.state.tokenRequests.map((r) => r.params.grant_type)

async function failure(promise: Promise<unknown>): Promise<TokenClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TokenClientError)
  return error as TokenClientError
}

describe("a user's client on the standard token endpoint", () => {
  it('logs in with the password grant (form, client_id default, scope) and attaches the bearer', async () => {
    const c = client({ scope: 'orders:read profile' })
    await c.login('ada', 'correct horse')
    expect(issuer.state.tokenRequests).toEqual([
      {
        params: {
          grant_type: 'password',
          username: 'ada',
          password: 'correct horse',
          client_id: 'default',
          scope: 'orders:read profile',
        },
        authorization: undefined,
      },
    ])
    const res = await c.fetch(api())
    expect(await res.json()).toMatchObject({ sub: 'ada' })
    expect(issuer.state.jsonCalls).toEqual([])
  })

  it('fetches the metadata once, for concurrent first calls too, and keeps it', async () => {
    const c = client()
    await Promise.all(Array.from({ length: 20 }, () => c.login('ada', 'correct horse')))
    await c.login('ada', 'correct horse')
    expect(issuer.state.metadataRequests).toBe(1)
  })

  it('logs in through the client given as clientId', async () => {
    await issuer.close()
    issuer = await startOAuthIssuer({ publicClients: ['cli-app'] })
    await client({ clientId: 'cli-app' }).login('ada', 'correct horse')
    expect(issuer.state.tokenRequests[0]?.params.client_id).toBe('cli-app')
    const error = await failure(client().login('ada', 'correct horse'))
    expect(error).toMatchObject({ code: 'invalid_client', status: 401, message: 'Unknown client.' })
  })

  it("maps the endpoint's { error, error_description } to TokenClientError", async () => {
    const error = await failure(client().login('ada', 'wrong'))
    expect(error).toMatchObject({
      code: 'invalid_grant',
      status: 400,
      message: 'Wrong username or password.',
    })
  })

  it('refreshes with the refresh_token grant once for 20 concurrent calls that meet token_expired', async () => {
    const c = client()
    await c.login('ada', 'correct horse')
    issuer.expireAccessTokens()
    let open = () => {}
    issuer.state.gate = new Promise((resolve) => {
      open = resolve
    })
    const calls = Array.from({ length: 20 }, (_, i) => c.fetch(api(), { method: 'POST', body: `call-${i}` }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    open()
    const bodies = (await Promise.all((await Promise.all(calls)).map((r) => r.json()))) as { body: string }[]
    expect(bodies.map((b) => b.body)).toEqual(Array.from({ length: 20 }, (_, i) => `call-${i}`))
    expect(grants()).toEqual(['password', 'refresh_token'])
    const refresh = issuer.state.tokenRequests[1]?.params
    expect(refresh).toEqual({
      grant_type: 'refresh_token',
      refresh_token: expect.any(String),
      client_id: 'default',
    })
    expect(ended).toEqual([])
  })

  it('refreshes on the RFC 6750 challenge alone (error="invalid_token", no tokensmith code)', async () => {
    issuer.state.apiStyle = 'rfc6750'
    const c = client()
    await c.login('ada', 'correct horse')
    issuer.expireAccessTokens()
    expect((await c.fetch(api())).status).toBe(200)
    expect(grants()).toEqual(['password', 'refresh_token'])
  })

  it("does not refresh on a tokensmith API's invalid_token, whose body says more than the challenge", async () => {
    const c = client()
    await c.login('ada', 'correct horse')
    issuer.forgetAccessTokens()
    expect((await c.fetch(api())).status).toBe(401)
    expect(grants()).toEqual(['password'])
  })

  // RFC 9470 section 3: only a new authentication mends it, so the client neither refreshes nor
  // hands back a plain 401: it throws the classes and age the API asked for.
  it('throws InsufficientUserAuthenticationError on the step-up challenge, and keeps the session', async () => {
    const c = client()
    await c.login('ada', 'correct horse')
    const error = await c.fetch(`${issuer.url}/api/step-up`).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(InsufficientUserAuthenticationError)
    expect(error).toMatchObject({
      code: 'insufficient_user_authentication',
      status: 401,
      acrValues: ['urn:tokensmith:acr:mfa', 'urn:tokensmith:acr:phishing-resistant'],
      maxAge: 300,
    })
    expect(grants()).toEqual(['password'])
    expect(c.isLoggedIn()).toBe(true)
    expect(ended).toEqual([])
  })

  it('ends the session once when the refresh is refused with invalid_grant', async () => {
    const c = client()
    await c.login('ada', 'correct horse')
    const [family] = issuer.families()
    issuer.revokeFamily(family?.id ?? '')
    issuer.expireAccessTokens()
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => failure(c.fetch(api()))))
    expect(outcomes.map((e) => e.code)).toContain('invalid_grant')
    expect(ended).toEqual(['invalid_grant'])
    expect(c.isLoggedIn()).toBe(false)
    expect(grants()).toEqual(['password', 'refresh_token'])
  })

  it('logs out at the revocation endpoint with the refresh token, and forgets the session', async () => {
    const c = client()
    await c.login('ada', 'correct horse')
    await c.logout()
    expect(issuer.state.revocations).toEqual([
      { token: expect.stringMatching(/^rt-/), token_type_hint: 'refresh_token', client_id: 'default' },
    ])
    expect(issuer.families().map((f) => f.revoked)).toEqual([true])
    expect(c.isLoggedIn()).toBe(false)
  })
})

describe("a user's client without the standard token endpoint", () => {
  for (const metadata of ['absent', 'no-password', 'other-issuer'] as const) {
    it(`falls back to the /auth/* JSON API when the metadata is ${metadata}`, async () => {
      issuer.state.metadata = metadata
      const c = client({ scope: 'orders:read' })
      await c.login('ada', 'correct horse')
      issuer.expireAccessTokens()
      expect((await c.fetch(api())).status).toBe(200)
      await c.logout()
      expect(issuer.state.jsonCalls.map((call) => call.path)).toEqual([
        '/auth/login',
        '/auth/refresh',
        '/auth/logout',
      ])
      expect(issuer.state.jsonCalls[0]?.body).toEqual({
        username: 'ada',
        password: 'correct horse',
        scope: 'orders:read',
      })
      expect(issuer.state.tokenRequests).toEqual([])
      expect(issuer.state.metadataRequests).toBe(1)
    })
  }

  it('uses the JSON API while the metadata is failing, and asks for it again next time', async () => {
    issuer.state.metadata = 'down'
    const c = client()
    await c.login('ada', 'correct horse')
    expect(issuer.state.jsonCalls.map((call) => call.path)).toEqual(['/auth/login'])
    issuer.state.metadata = 'oauth'
    // The session keeps the surface it was opened on: its refresh goes to /auth/refresh.
    issuer.expireAccessTokens()
    expect((await c.fetch(api())).status).toBe(200)
    expect(issuer.state.jsonCalls.map((call) => call.path)).toEqual(['/auth/login', '/auth/refresh'])
    await c.login('ada', 'correct horse')
    expect(grants()).toEqual(['password'])
    expect(issuer.state.metadataRequests).toBe(2)
  })

  it('maps the JSON API refusal { code, error } as before', async () => {
    issuer.state.metadata = 'absent'
    expect(await failure(client().login('ada', 'nope'))).toMatchObject({
      code: 'invalid_credentials',
      status: 401,
    })
  })
})

describe('the account session (account: true)', () => {
  it('logs in twice, the second time with scope=account, and calls the account endpoints with it', async () => {
    const c = client({ account: true, scope: 'orders:read' })
    await c.login('ada', 'correct horse')
    expect(issuer.state.tokenRequests.map((r) => r.params.scope)).toEqual(['orders:read', 'account'])
    const [mainFamily, accountFamily] = issuer.families()
    const sessions = await c.listSessions()
    expect(sessions).toEqual([
      { id: mainFamily?.id, clientId: 'default', current: false },
      { id: accountFamily?.id, clientId: 'default', current: true },
    ])
    await c.fetch(api())
    // The API saw the user's token, the account endpoint the account token: never the other way.
    const [listed, called] = issuer.state.bearers
    expect(listed?.path).toBe('/auth/sessions')
    expect(called?.path).toBe('/api/echo')
    expect(listed?.token).not.toBe(called?.token)
  })

  it('revokes one session by id, and answers an unknown id with the issuer code', async () => {
    const other = client()
    await other.login('ada', 'correct horse')
    const c = client({ account: true })
    await c.login('ada', 'correct horse')
    const [otherFamily] = issuer.families()
    await c.revokeSession(otherFamily?.id ?? '')
    expect(issuer.families()[0]?.revoked).toBe(true)
    expect(await failure(c.revokeSession('sid-nope'))).toMatchObject({ code: 'not_found', status: 404 })
    await expect(c.revokeSession('')).rejects.toThrow(TypeError)
  })

  it('ends every session with logoutAll, and forgets both of its own', async () => {
    const c = client({ account: true })
    await c.login('ada', 'correct horse')
    await c.logoutAll()
    expect(issuer.families().every((f) => f.revoked)).toBe(true)
    expect(c.isLoggedIn()).toBe(false)
    expect(await failure(c.listSessions())).toMatchObject({ code: 'no_account_session' })
  })

  it('refreshes the account session by its own single flight', async () => {
    const c = client({ account: true })
    await c.login('ada', 'correct horse')
    issuer.expireAccessTokens()
    const lists = await Promise.all(Array.from({ length: 20 }, () => c.listSessions()))
    expect(lists.every((l) => l.length === 2)).toBe(true)
    const refreshes = issuer.state.tokenRequests.filter((r) => r.params.grant_type === 'refresh_token')
    expect(refreshes).toHaveLength(1)
    // Only the account session was refreshed; the user's own refreshes on its own need.
    expect((await c.fetch(api())).status).toBe(200)
    expect(grants().filter((g) => g === 'refresh_token')).toHaveLength(2)
  })

  it('refreshes the account session ahead of its expiry, like the user session', async () => {
    const c = client({ account: true })
    await c.login('ada', 'correct horse')
    now += 896_000
    await c.listSessions()
    expect(grants()).toEqual(['password', 'password', 'refresh_token'])
  })

  it('keeps both sessions or neither: a refused account login revokes the first', async () => {
    issuer.state.refuseScope = 'account'
    const c = client({ account: true })
    expect(await failure(c.login('ada', 'correct horse'))).toMatchObject({ code: 'invalid_scope' })
    expect(c.isLoggedIn()).toBe(false)
    expect(issuer.families().map((f) => f.revoked)).toEqual([true])
  })

  it('logs out both sessions', async () => {
    const c = client({ account: true })
    await c.login('ada', 'correct horse')
    await c.logout()
    expect(issuer.state.revocations).toHaveLength(2)
    expect(issuer.families().every((f) => f.revoked)).toBe(true)
  })

  it("revokes the account session when the user's session ends", async () => {
    const c = client({ account: true })
    await c.login('ada', 'correct horse')
    const [mainFamily, accountFamily] = issuer.families()
    issuer.revokeFamily(mainFamily?.id ?? '')
    issuer.expireAccessTokens()
    await failure(c.fetch(api()))
    expect(ended).toEqual(['invalid_grant'])
    await expect.poll(() => issuer.families().find((f) => f.id === accountFamily?.id)?.revoked).toBe(true)
    expect(await failure(c.listSessions())).toMatchObject({ code: 'no_account_session' })
  })

  it('refuses the account methods without account: true, and with the JSON API too', async () => {
    const c = client()
    await c.login('ada', 'correct horse')
    const error = await failure(c.listSessions())
    expect(error).toMatchObject({ code: 'no_account_session', status: 401 })
    expect(error.message).toMatch(/account: true/)

    issuer.state.metadata = 'absent'
    const json = client({ account: true })
    await json.login('ada', 'correct horse')
    expect(issuer.state.jsonCalls.map((call) => call.body)).toEqual([
      { username: 'ada', password: 'correct horse' },
      { username: 'ada', password: 'correct horse', scope: 'account' },
    ])
    expect(await json.listSessions()).toHaveLength(3)
  })
})
