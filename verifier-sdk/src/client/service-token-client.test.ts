import { createPublicKey } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InsufficientUserAuthenticationError, TokenClientError } from '../errors.ts'
import { type OAuthIssuer, startOAuthIssuer } from '../testing/oauth-issuer.ts'
import { createTestKey } from '../testing/test-key.ts'
import { createTokenClient } from './create-token-client.ts'
import type { ServiceTokenClientOptions } from './token-client-options.ts'

const rsa = createTestKey('RS256')
const ec = createTestKey('ES256')
const ed = createTestKey('EdDSA')
/** A client id and a secret with characters that Basic must carry form-urlencoded. */
const SECRET_ID = 'billing:worker 1'
const SECRET = 'p@ss word+/%:'

let issuer: OAuthIssuer
let now: number

beforeEach(async () => {
  issuer = await startOAuthIssuer({
    services: {
      [SECRET_ID]: { secret: SECRET },
      'svc-rsa': { publicKey: createPublicKey(rsa.privateKey) },
      'svc-ec': { publicKey: createPublicKey(ec.privateKey) },
      'svc-ed': { publicKey: createPublicKey(ed.privateKey) },
    },
  })
  now = 1_700_000_000_000
})

afterEach(() => issuer.close())

type ServiceOptions = Omit<ServiceTokenClientOptions, 'issuer'> & { issuer?: string }

function service(options: ServiceOptions) {
  return createTokenClient({ issuer: issuer.url, clock: () => now, ...options } as ServiceTokenClientOptions)
}

const withSecret = () => service({ clientId: SECRET_ID, clientSecret: SECRET })
const api = () => `${issuer.url}/api/echo`
const tokenRequests = () => issuer.state.tokenRequests.length

describe("a service's client with a client secret (client_secret_basic)", () => {
  it('sends Basic with form-urlencoded halves, and the client_credentials grant with scope and audience', async () => {
    const c = service({ clientId: SECRET_ID, clientSecret: SECRET, scope: 'orders:read', audience: 'orders' })
    const res = await c.fetch(api())
    expect(await res.json()).toMatchObject({ sub: SECRET_ID })
    const [request] = issuer.state.tokenRequests
    expect(request?.params).toEqual({
      grant_type: 'client_credentials',
      scope: 'orders:read',
      audience: 'orders',
    })
    const basic = Buffer.from(request?.authorization?.replace(/^Basic /, '') ?? '', 'base64').toString()
    expect(basic).toBe('billing%3Aworker+1:p%40ss+word%2B%2F%25%3A')
  })

  it('gets one token for 20 concurrent calls (one metadata request too)', async () => {
    const c = withSecret()
    const responses = await Promise.all(Array.from({ length: 20 }, () => c.fetch(api())))
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200))
    expect(tokenRequests()).toBe(1)
    expect(issuer.state.metadataRequests).toBe(1)
    expect(new Set(issuer.state.bearers.map((b) => b.token)).size).toBe(1)
  })

  it('keeps the token until refreshSkewSec before it expires, then gets a new one', async () => {
    issuer.state.expiresIn = 300
    const c = withSecret()
    const first = await c.getAccessToken()
    now += 294_000
    expect(await c.getAccessToken()).toBe(first)
    expect(tokenRequests()).toBe(1)
    now += 2_000 // 296 s: within the 5 s skew
    const calls = await Promise.all(Array.from({ length: 20 }, () => c.getAccessToken()))
    expect(new Set(calls).size).toBe(1)
    expect(calls[0]).not.toBe(first)
    expect(tokenRequests()).toBe(2)
  })

  it('renews at half the lifetime at the latest, whatever the skew', async () => {
    issuer.state.expiresIn = 60
    const c = service({ clientId: SECRET_ID, clientSecret: SECRET, refreshSkewSec: 600 })
    await c.getAccessToken()
    now += 29_000
    await c.getAccessToken()
    expect(tokenRequests()).toBe(1)
    now += 1_000
    await c.getAccessToken()
    expect(tokenRequests()).toBe(2)
  })

  it('gets a new token once and retries after a 401 invalid_token, for 20 concurrent calls', async () => {
    const c = withSecret()
    await c.getAccessToken()
    issuer.forgetAccessTokens() // the issuer no longer honours it (the API answers invalid_token)
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => c.fetch(api(), { method: 'POST', body: `call-${i}` })),
    )
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200))
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { body: string }[]
    expect(bodies.map((b) => b.body)).toEqual(Array.from({ length: 20 }, (_, i) => `call-${i}`))
    expect(tokenRequests()).toBe(2)
  })

  it('retries after a 401 token_expired and after a bare RFC 6750 challenge, once each', async () => {
    const c = withSecret()
    await c.getAccessToken()
    issuer.expireAccessTokens()
    expect((await c.fetch(api())).status).toBe(200)
    issuer.state.apiStyle = 'rfc6750'
    issuer.expireAccessTokens()
    expect((await c.fetch(api())).status).toBe(200)
    expect(tokenRequests()).toBe(3)
    // A token refused again after the retry: that 401 is returned, no loop.
    const refused = await c.fetch(`${issuer.url}/api/never`)
    expect(refused.status).toBe(401)
    expect(tokenRequests()).toBe(4)
  })

  it('throws InsufficientUserAuthenticationError on the RFC 9470 challenge, without a new token', async () => {
    const c = withSecret()
    const error = await c.fetch(`${issuer.url}/api/step-up`).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(InsufficientUserAuthenticationError)
    expect(error).toMatchObject({ acrValues: expect.any(Array), maxAge: 300 })
    expect(tokenRequests()).toBe(1)
  })

  it("maps the token endpoint's refusal to TokenClientError", async () => {
    const c = service({ clientId: SECRET_ID, clientSecret: 'wrong' })
    const error = await c.getAccessToken().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TokenClientError)
    expect(error).toMatchObject({
      code: 'invalid_client',
      status: 401,
      message: 'Client authentication failed.',
    })
    // A failure is not cached: the next call asks again.
    await c.getAccessToken().catch(() => {})
    expect(tokenRequests()).toBe(2)
  })

  it('refuses to work without a token endpoint offering client_credentials', async () => {
    issuer.state.metadata = 'absent'
    await expect(withSecret().getAccessToken()).rejects.toMatchObject({
      code: 'no_token_endpoint',
      status: 404,
    })
    issuer.state.metadata = 'other-issuer'
    await expect(withSecret().getAccessToken()).rejects.toMatchObject({ code: 'no_token_endpoint' })
    issuer.state.metadata = 'down'
    const c = withSecret()
    await expect(c.getAccessToken()).rejects.toMatchObject({ code: 'http_503', status: 503 })
    issuer.state.metadata = 'oauth'
    await expect(c.getAccessToken()).resolves.toMatch(/^at-/)
    expect(tokenRequests()).toBe(1)
  })
})

describe("a service's client with a private key (private_key_jwt)", () => {
  for (const [clientId, key, alg] of [
    ['svc-rsa', rsa, 'RS256'],
    ['svc-ec', ec, 'ES256'],
    ['svc-ed', ed, 'EdDSA'],
  ] as const) {
    it(`signs a fresh ${alg} assertion per request: iss = sub = client, aud = token endpoint, 60 s, unique jti`, async () => {
      const c = service({ clientId, privateKey: key.privateKey, keyId: 'k1', scope: 'orders:read' })
      await c.getAccessToken()
      issuer.forgetAccessTokens()
      expect((await c.fetch(api())).status).toBe(200)
      // Verified by jose in the stand-in (signature, iss, sub, aud, exp); the shape is checked here.
      expect(issuer.state.assertions).toHaveLength(2)
      for (const payload of issuer.state.assertions) {
        expect(payload).toEqual({
          iss: clientId,
          sub: clientId,
          aud: issuer.tokenEndpoint,
          iat: Math.floor(now / 1000),
          exp: Math.floor(now / 1000) + 60,
          jti: expect.stringMatching(/^[\w-]{22}$/),
        })
      }
      expect(new Set(issuer.state.assertions.map((p) => p.jti)).size).toBe(2)
      expect(issuer.state.assertionHeaders[0]).toEqual({ alg, typ: 'JWT', kid: 'k1' })
      const [request] = issuer.state.tokenRequests
      expect(request?.authorization).toBeUndefined()
      expect(request?.params).toEqual({
        grant_type: 'client_credentials',
        scope: 'orders:read',
        client_id: clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: expect.any(String),
      })
    })
  }

  it('takes a private JWK, and its kid', async () => {
    const jwk = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'ec-1' }
    await service({ clientId: 'svc-ec', privateKey: jwk }).getAccessToken()
    expect(issuer.state.assertionHeaders[0]).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'ec-1' })
  })

  it('is refused by the issuer when signed by another key', async () => {
    const c = service({ clientId: 'svc-rsa', privateKey: createTestKey('RS256').privateKey })
    await expect(c.getAccessToken()).rejects.toMatchObject({ code: 'invalid_client' })
  })
})

describe('createTokenClient options of a service', () => {
  it('are validated once, naming the option', () => {
    const base = { issuer: 'https://id.example.test', clientId: 'svc' }
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ clientSecret: 's', privateKey: rsa.privateKey }, /"clientSecret"/],
      [{ clientSecret: '' }, /"clientSecret"/],
      [{ clientSecret: 's', account: true }, /"account"/],
      [{ clientSecret: 's', onSessionEnded: () => {} }, /"onSessionEnded"/],
      [{ clientSecret: 's', keyId: 'k' }, /"keyId"/],
      [{ clientSecret: 's', clientId: undefined }, /"clientId"/],
      [{ clientSecret: 's', clientId: '' }, /"clientId"/],
      [{ clientSecret: 's', scope: 'a  b' }, /"scope"/],
      [{ clientSecret: 's', scope: 'a"b' }, /"scope"/],
      [{ clientSecret: 's', audience: '' }, /"audience"/],
      [{ privateKey: createPublicKey(rsa.privateKey) }, /"privateKey"/],
      [{ privateKey: rsa.publicJwk }, /"privateKey"/],
      [{ privateKey: 'pem' }, /"privateKey"/],
      [{ privateKey: createTestKey('RS256', 1024).privateKey }, /"privateKey"/],
      [{ privateKey: rsa.privateKey, algorithm: 'ES256' }, /"algorithm"/],
      [{ privateKey: rsa.privateKey, keyId: '' }, /"keyId"/],
      [{ audience: 'orders' }, /"audience"/],
      [{ algorithm: 'RS256' }, /"algorithm"/],
      [{ clientScret: 's' }, /unknown option "clientScret"/],
    ]
    for (const [options, message] of bad) {
      expect(() => createTokenClient({ ...base, ...options } as never)).toThrow(TypeError)
      expect(() => createTokenClient({ ...base, ...options } as never)).toThrow(message)
    }
    expect(() => createTokenClient({ ...base, privateKey: rsa.privateKey, algorithm: 'RS256' })).not.toThrow()
  })
})
