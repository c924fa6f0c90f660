// The /oauth surface against two OAuth client libraries nobody here wrote: openid-client 6 and
// oauth4webapi 3 (panva's, the ones most Node services use). A real issuer process on 127.0.0.1
// with a seeded SQLite store; the libraries speak to it as they would to any authorization server.
// Each test names the RFC section whose behaviour it relies on.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstPartyPublicClient } from '../../core/clients/client-record.ts'
import { hashClientSecret, newClientSecret } from '../../core/clients/client-secret.ts'
import { type ClientAssertionKey, createClientAssertionKey } from '../../testing/client-assertion-key.ts'
import { freePort } from '../../testing/free-port.ts'
import { leakedLines } from '../../testing/http-probe.ts'
import { seedIssuerData } from '../../testing/seed-issuer-data.ts'
import { serviceClient } from '../../testing/service-client.ts'
import { type SpawnedIssuer, spawnIssuer } from '../../testing/spawn-issuer.ts'

const USER = { username: 'alice', password: 'correct horse battery staple' }
const DEFAULT_AUDIENCE = 'urn:tokensmith:api'
const secrets = { svc: newClientSecret(), portal: newClientSecret(), rs: newClientSecret() }

let dir: string
let issuer: SpawnedIssuer
let issuerUrl: URL
let keys: Record<'rs256' | 'es256' | 'eddsa', ClientAssertionKey>
const logLines: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-interop-'))
  keys = {
    rs256: await createClientAssertionKey('RS256'),
    es256: await createClientAssertionKey('ES256'),
    eddsa: await createClientAssertionKey('EdDSA'),
  }
  const now = Date.now()
  const orders = { scopes: ['orders:read', 'orders:write'], audiences: ['urn:orders', 'urn:billing'] }
  await seedIssuerData({
    keysDir: join(dir, 'keys'),
    databaseUrl: `sqlite:${join(dir, 'issuer.db')}`,
    users: [{ ...USER, roles: ['user'] }],
    clients: [
      // A first-party app (public): the password and refresh_token grants.
      { ...firstPartyPublicClient('app', now), scopes: ['profile', 'orders:read'] },
      { ...firstPartyPublicClient('third-party', now), firstParty: false },
      // A first-party server-side app (confidential): the same grants, authenticated.
      serviceClient('portal', now, {
        firstParty: true,
        grants: ['password', 'refresh_token'],
        secretHash: hashClientSecret(secrets.portal),
      }),
      serviceClient('svc', now, { ...orders, secretHash: hashClientSecret(secrets.svc) }),
      serviceClient('svc-rs256', now, { ...orders, jwks: keys.rs256.jwks }),
      serviceClient('svc-es256', now, { ...orders, jwks: keys.es256.jwks }),
      serviceClient('svc-eddsa', now, { ...orders, jwks: keys.eddsa.jwks }),
      // A resource server of the APIs the tokens are for: introspects them (RFC 7662 §2.2, §4).
      serviceClient('rs', now, {
        grants: [],
        audiences: [DEFAULT_AUDIENCE, 'urn:orders'],
        secretHash: hashClientSecret(secrets.rs),
      }),
    ],
  })
  const port = await freePort()
  issuer = await spawnIssuer(
    {
      KEYS_DIR: join(dir, 'keys'),
      DATABASE_URL: `sqlite:${join(dir, 'issuer.db')}`,
      AUDIENCE: DEFAULT_AUDIENCE,
      SCRYPT_LOG_N: '10',
    },
    { port, onLogLine: (line) => logLines.push(line) },
  )
  issuerUrl = new URL(issuer.url)
})

afterAll(async () => {
  await issuer?.stop()
  // Whatever the libraries sent, the issuer logged no password, secret, token or assertion.
  expect(logLines.length).toBeGreaterThan(0)
  expect(leakedLines(logLines, [USER.password, ...Object.values(secrets)])).toEqual([])
  await rm(dir, { recursive: true, force: true })
})

/** What the library threw, for `expect(...).rejects`-free assertions on its fields. */
async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (err) {
    return err
  }
  throw new Error('expected a rejection')
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>
}

describe('openid-client 6', () => {
  const insecure = { algorithm: 'oauth2' as const, execute: [client.allowInsecureRequests] }
  const configFor = (id: string, auth: client.ClientAuth, secret?: string) =>
    client.discovery(issuerUrl, id, secret, auth, insecure)

  it('RFC 8414 §3: discovery reads /.well-known/oauth-authorization-server and finds every endpoint', async () => {
    const config = await configFor('app', client.None())
    const meta = config.serverMetadata()
    expect(meta.issuer).toBe(issuer.url)
    expect(meta.token_endpoint).toBe(`${issuer.url}/oauth/token`)
    expect(meta.revocation_endpoint).toBe(`${issuer.url}/oauth/revoke`)
    expect(meta.introspection_endpoint).toBe(`${issuer.url}/oauth/introspect`)
    expect(meta.jwks_uri).toBe(`${issuer.url}/.well-known/jwks.json`)
    expect(meta.grant_types_supported).toEqual(
      expect.arrayContaining(['password', 'refresh_token', 'client_credentials']),
    )
    expect(meta.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']),
    )
  })

  it('OpenID Connect Discovery 1.0 §4: openid-configuration is read and names the OpenID endpoints', async () => {
    const config = await client.discovery(issuerUrl, 'app', undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    })
    const meta = config.serverMetadata()
    expect(meta.userinfo_endpoint).toBe(`${issuer.url}/oauth/userinfo`)
    expect(meta.end_session_endpoint).toBe(`${issuer.url}/oauth/logout`)
    expect(meta.authorization_endpoint).toBe(`${issuer.url}/oauth/authorize`)
  })

  it('RFC 6749 §4.3.2 via genericGrantRequest: the password grant of a first-party public client', async () => {
    const config = await configFor('app', client.None())
    const tokens = await client.genericGrantRequest(config, 'password', { ...USER, scope: 'profile' })
    expect(tokens.token_type.toLowerCase()).toBe('bearer')
    expect(tokens.refresh_token).toMatch(/^rt_/)
    expect(tokens.scope).toBe('profile')
    expect(tokens.expiresIn()).toBeGreaterThan(0)
    const claims = claimsOf(tokens.access_token)
    expect(claims).toMatchObject({
      iss: issuer.url,
      client_id: 'app',
      scope: 'profile',
      aud: DEFAULT_AUDIENCE,
    })
    expect(claims.sid).toBeTypeOf('string')
  })

  it('RFC 6749 §6 via refreshTokenGrant: each refresh hands out a new refresh token, a replayed old one is invalid_grant', async () => {
    const config = await configFor('app', client.None())
    const first = await client.genericGrantRequest(config, 'password', USER)
    const second = await client.refreshTokenGrant(config, first.refresh_token as string)
    expect(second.refresh_token).toMatch(/^rt_/)
    expect(second.refresh_token).not.toBe(first.refresh_token)
    const third = await client.refreshTokenGrant(config, second.refresh_token as string)
    expect(third.refresh_token).not.toBe(second.refresh_token)
    // The first token is not the newest consumed one: no grace, reuse detected (RFC 9700 §4.14.2).
    const err = await caught(client.refreshTokenGrant(config, first.refresh_token as string))
    expect(err).toBeInstanceOf(client.ResponseBodyError)
    expect((err as client.ResponseBodyError).error).toBe('invalid_grant')
    // ... and the whole family ended with it.
    const after = await caught(client.refreshTokenGrant(config, third.refresh_token as string))
    expect((after as client.ResponseBodyError).error).toBe('invalid_grant')
  })

  it('RFC 6749 §6: a narrower scope on refresh, a wider one is invalid_scope', async () => {
    const config = await configFor('app', client.None())
    const pair = await client.genericGrantRequest(config, 'password', {
      ...USER,
      scope: 'profile orders:read',
    })
    expect(pair.scope).toBe('profile orders:read')
    const narrowed = await client.refreshTokenGrant(config, pair.refresh_token as string, {
      scope: 'profile',
    })
    expect(narrowed.scope).toBe('profile')
    expect(claimsOf(narrowed.access_token).scope).toBe('profile')
    const err = await caught(
      client.refreshTokenGrant(config, narrowed.refresh_token as string, { scope: 'profile admin' }),
    )
    expect((err as client.ResponseBodyError).error).toBe('invalid_scope')
  })

  it('RFC 6749 §2.3.1 + §4.3: the password grant of a confidential first-party client (client_secret_basic), refreshed by it alone', async () => {
    const config = await configFor('portal', client.ClientSecretBasic(secrets.portal))
    const pair = await client.genericGrantRequest(config, 'password', USER)
    const next = await client.refreshTokenGrant(config, pair.refresh_token as string)
    expect(next.refresh_token).toMatch(/^rt_/)
    // Another client presenting it: invalid_grant (§6: bound to the client it was issued to).
    const other = await configFor('app', client.None())
    const err = await caught(client.refreshTokenGrant(other, next.refresh_token as string))
    expect((err as client.ResponseBodyError).error).toBe('invalid_grant')
    // ... and without consuming it: its own client still refreshes it.
    await expect(client.refreshTokenGrant(config, next.refresh_token as string)).resolves.toBeTruthy()
  })

  it.each([
    ['client_secret_basic (RFC 6749 §2.3.1)', () => client.ClientSecretBasic(secrets.svc)],
    ['client_secret_post (RFC 6749 §2.3.1)', () => client.ClientSecretPost(secrets.svc)],
  ])('RFC 6749 §4.4 client_credentials with %s', async (_name, auth) => {
    const config = await configFor('svc', auth())
    const token = await client.clientCredentialsGrant(config, { scope: 'orders:read' })
    expect(token.refresh_token).toBeUndefined()
    expect(token.scope).toBe('orders:read')
    const claims = claimsOf(token.access_token)
    expect(claims).toMatchObject({ sub: 'svc', client_id: 'svc', aud: 'urn:orders', scope: 'orders:read' })
    expect(claims.sid).toBeUndefined()
  })

  it('RFC 7523 §2.2 client_credentials with private_key_jwt (RS256 key generated here, public JWKS registered)', async () => {
    const config = await configFor('svc-rs256', client.PrivateKeyJwt(keys.rs256.privateKey))
    const token = await client.clientCredentialsGrant(config, { resource: 'urn:billing' })
    expect(claimsOf(token.access_token)).toMatchObject({ sub: 'svc-rs256', aud: 'urn:billing' })
    expect(token.scope).toBe('orders:read orders:write')
  })

  it('RFC 8707 §2: a resource the client may not reach is invalid_target', async () => {
    const config = await configFor('svc', client.ClientSecretBasic(secrets.svc))
    const err = await caught(client.clientCredentialsGrant(config, { resource: 'urn:elsewhere' }))
    expect(err).toBeInstanceOf(client.ResponseBodyError)
    expect((err as client.ResponseBodyError).error).toBe('invalid_target')
  })

  it('RFC 7009 §2.1 via tokenRevocation: a revoked refresh token no longer refreshes', async () => {
    const config = await configFor('app', client.None())
    const pair = await client.genericGrantRequest(config, 'password', USER)
    await client.tokenRevocation(config, pair.refresh_token as string, { token_type_hint: 'refresh_token' })
    // §2.2: revoking again (or anything unknown) is still a 200.
    await client.tokenRevocation(config, pair.refresh_token as string)
    await client.tokenRevocation(config, 'rt_not-a-real-token')
    const err = await caught(client.refreshTokenGrant(config, pair.refresh_token as string))
    expect((err as client.ResponseBodyError).error).toBe('invalid_grant')
  })

  it('RFC 7662 §2.2 via tokenIntrospection: active user and service tokens, inactive once revoked', async () => {
    const rs = await configFor('rs', client.ClientSecretBasic(secrets.rs))
    const app = await configFor('app', client.None())
    const pair = await client.genericGrantRequest(app, 'password', USER)
    const user = await client.tokenIntrospection(rs, pair.access_token)
    expect(user).toMatchObject({ active: true, client_id: 'app', token_type: 'Bearer', iss: issuer.url })
    expect(user.sub).toBeTypeOf('string')
    expect(user.exp).toBeGreaterThan(Date.now() / 1000)

    const svc = await configFor('svc', client.ClientSecretPost(secrets.svc))
    const service = await client.clientCredentialsGrant(svc)
    expect(await client.tokenIntrospection(rs, service.access_token)).toMatchObject({
      active: true,
      sub: 'svc',
      client_id: 'svc',
      scope: 'orders:read orders:write',
    })

    // Revoking the user's access token ends its session (RFC 7009 §2.1): inactive from then on.
    await client.tokenRevocation(app, pair.access_token, { token_type_hint: 'access_token' })
    expect(await client.tokenIntrospection(rs, pair.access_token)).toEqual({ active: false })
    expect(await client.tokenIntrospection(rs, 'not a token at all')).toEqual({ active: false })
  })

  it('RFC 7662 §2.2: a confidential client introspects its own refresh token; another client learns nothing', async () => {
    const portal = await configFor('portal', client.ClientSecretBasic(secrets.portal))
    const pair = await client.genericGrantRequest(portal, 'password', USER)
    expect(await client.tokenIntrospection(portal, pair.refresh_token as string)).toMatchObject({
      active: true,
      client_id: 'portal',
      token_type: 'refresh_token',
    })
    const rs = await configFor('rs', client.ClientSecretBasic(secrets.rs))
    expect(await client.tokenIntrospection(rs, pair.refresh_token as string)).toEqual({ active: false })
  })

  describe('RFC 6749 §5.2 errors surface as ResponseBodyError', () => {
    const expectError = async (promise: Promise<unknown>, error: string, status = 400) => {
      const err = await caught(promise)
      expect(err).toBeInstanceOf(client.ResponseBodyError)
      expect((err as client.ResponseBodyError).error).toBe(error)
      expect((err as client.ResponseBodyError).status).toBe(status)
      expect((err as client.ResponseBodyError).error_description).toBeTypeOf('string')
    }

    it('invalid_client (401): a wrong secret in the body', async () => {
      const config = await configFor('svc', client.ClientSecretPost(newClientSecret()))
      await expectError(client.clientCredentialsGrant(config), 'invalid_client', 401)
    })

    it('invalid_client (401): a confidential client that does not authenticate', async () => {
      const config = await configFor('svc', client.None())
      await expectError(client.clientCredentialsGrant(config), 'invalid_client', 401)
    })

    it('invalid_client (401) with WWW-Authenticate: Basic when Basic was used, so the libraries report the challenge', async () => {
      const config = await configFor('svc', client.ClientSecretBasic(newClientSecret()))
      const err = await caught(client.clientCredentialsGrant(config))
      expect(err).toBeInstanceOf(client.WWWAuthenticateChallengeError)
      const challenge = err as client.WWWAuthenticateChallengeError
      expect(challenge.status).toBe(401)
      expect(challenge.cause[0]).toMatchObject({ scheme: 'basic', parameters: { realm: 'tokensmith' } })
      expect(await challenge.response.json()).toMatchObject({ error: 'invalid_client' })
    })

    it('invalid_grant: a wrong password', async () => {
      const config = await configFor('app', client.None())
      await expectError(
        client.genericGrantRequest(config, 'password', { username: 'alice', password: 'wrong password' }),
        'invalid_grant',
      )
    })

    it('invalid_grant: a refresh token that was never issued', async () => {
      const config = await configFor('app', client.None())
      await expectError(client.refreshTokenGrant(config, `rt_${'A'.repeat(43)}`), 'invalid_grant')
    })

    it('unauthorized_client: the password grant for a third-party client (RFC 9700 §2.4)', async () => {
      const config = await configFor('third-party', client.None())
      await expectError(client.genericGrantRequest(config, 'password', USER), 'unauthorized_client')
    })

    it('unauthorized_client: client_credentials for a public client', async () => {
      const config = await configFor('app', client.None())
      await expectError(client.clientCredentialsGrant(config), 'unauthorized_client')
    })

    it('unsupported_grant_type: a grant this issuer does not speak', async () => {
      const config = await configFor('app', client.None())
      await expectError(
        client.genericGrantRequest(config, 'urn:ietf:params:oauth:grant-type:device_code', {
          device_code: 'x',
        }),
        'unsupported_grant_type',
      )
    })

    it('invalid_scope: a scope the client may not ask for', async () => {
      const config = await configFor('svc', client.ClientSecretPost(secrets.svc))
      await expectError(
        client.clientCredentialsGrant(config, { scope: 'orders:read admin' }),
        'invalid_scope',
      )
    })

    it('invalid_request: the password grant without a password', async () => {
      const config = await configFor('app', client.None())
      await expectError(
        client.genericGrantRequest(config, 'password', { username: 'alice' }),
        'invalid_request',
      )
    })
  })
})

describe('oauth4webapi 3', () => {
  const insecure = { [oauth.allowInsecureRequests]: true }
  let as: oauth.AuthorizationServer

  beforeAll(async () => {
    const res = await oauth.discoveryRequest(issuerUrl, { algorithm: 'oauth2', ...insecure })
    as = await oauth.processDiscoveryResponse(issuerUrl, res)
  })

  const passwordGrant = async (clientId: string, auth: oauth.ClientAuth, params: Record<string, string>) => {
    const res = await oauth.genericTokenEndpointRequest(
      as,
      { client_id: clientId },
      auth,
      'password',
      params,
      insecure,
    )
    return oauth.processGenericTokenEndpointResponse(as, { client_id: clientId }, res)
  }
  const serviceGrant = async (
    clientId: string,
    auth: oauth.ClientAuth,
    params: Record<string, string> = {},
  ) => {
    const c = { client_id: clientId }
    const res = await oauth.clientCredentialsGrantRequest(as, c, auth, params, insecure)
    return oauth.processClientCredentialsResponse(as, c, res)
  }
  const rsIntrospects = async (token: string) => {
    const c = { client_id: 'rs' }
    const res = await oauth.introspectionRequest(as, c, oauth.ClientSecretBasic(secrets.rs), token, insecure)
    return oauth.processIntrospectionResponse(as, c, res)
  }
  /** A resource server's check (RFC 9068 §4): the request's bearer token, for `audience`. */
  const validateAt = (token: string, audience: string) =>
    oauth.validateJwtAccessToken(
      as,
      new Request('https://orders.example/api', { headers: { authorization: `Bearer ${token}` } }),
      audience,
      insecure,
    )

  it('RFC 8414 §3.2 via discoveryRequest + processDiscoveryResponse: the issuer matches, the endpoints are there', () => {
    expect(as.issuer).toBe(issuer.url)
    expect(as.token_endpoint).toBe(`${issuer.url}/oauth/token`)
    expect(as.revocation_endpoint).toBe(`${issuer.url}/oauth/revoke`)
    expect(as.introspection_endpoint).toBe(`${issuer.url}/oauth/introspect`)
    expect(as.introspection_endpoint_auth_methods_supported).not.toContain('none')
  })

  it('RFC 6749 §4.3 via genericTokenEndpointRequest, then §6 via refreshTokenGrantRequest', async () => {
    const pair = await passwordGrant('app', oauth.None(), USER)
    expect(pair.refresh_token).toMatch(/^rt_/)
    const res = await oauth.refreshTokenGrantRequest(
      as,
      { client_id: 'app' },
      oauth.None(),
      pair.refresh_token as string,
      insecure,
    )
    const next = await oauth.processRefreshTokenResponse(as, { client_id: 'app' }, res)
    expect(next.refresh_token).toMatch(/^rt_/)
    expect(next.refresh_token).not.toBe(pair.refresh_token)
  })

  it.each([
    ['client_secret_basic (RFC 6749 §2.3.1)', () => oauth.ClientSecretBasic(secrets.svc), 'svc'],
    ['client_secret_post (RFC 6749 §2.3.1)', () => oauth.ClientSecretPost(secrets.svc), 'svc'],
    ['private_key_jwt, ES256 (RFC 7523 §2.2)', () => oauth.PrivateKeyJwt(keys.es256.privateKey), 'svc-es256'],
    ['private_key_jwt, RS256 (RFC 7523 §2.2)', () => oauth.PrivateKeyJwt(keys.rs256.privateKey), 'svc-rs256'],
  ])('RFC 6749 §4.4 via clientCredentialsGrantRequest with %s', async (_name, auth, id) => {
    const token = await serviceGrant(id, auth(), { resource: 'urn:billing', scope: 'orders:write' })
    expect(token.token_type).toBe('bearer')
    expect(token.scope).toBe('orders:write')
    expect(claimsOf(token.access_token)).toMatchObject({ sub: id, aud: 'urn:billing', scope: 'orders:write' })
  })

  it('RFC 7523 §2.2 private_key_jwt with an Ed25519 key, its assertion signed "alg": "EdDSA"', async () => {
    const auth = oauth.PrivateKeyJwt(keys.eddsa.privateKey, {
      [oauth.modifyAssertion]: (header) => {
        header.alg = 'EdDSA'
      },
    })
    const token = await serviceGrant('svc-eddsa', auth)
    expect(claimsOf(token.access_token)).toMatchObject({ sub: 'svc-eddsa', aud: 'urn:orders' })
  })

  // oauth4webapi and openid-client sign with an Ed25519 key as `"alg": "Ed25519"` (RFC 9864's
  // fully-specified name): the issuer accepts it beside EdDSA.
  it('RFC 7523 §2.2 + RFC 9864 §2: private_key_jwt with an Ed25519 key as the library signs it ("alg": "Ed25519")', async () => {
    const token = await serviceGrant('svc-eddsa', oauth.PrivateKeyJwt(keys.eddsa.privateKey))
    expect(token.access_token).toBeTypeOf('string')
  })

  it('RFC 7523 §3: the same assertion twice is invalid_client the second time', async () => {
    const assertion = await keys.es256.sign({ clientId: 'svc-es256', audience: as.issuer })
    let sent = 0
    const replay: oauth.ClientAuth = (_as, c, body) => {
      sent += 1
      body.set('client_id', c.client_id)
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      body.set('client_assertion', assertion)
    }
    await serviceGrant('svc-es256', replay)
    const err = await caught(serviceGrant('svc-es256', replay))
    expect(sent).toBe(2)
    expect(err).toBeInstanceOf(oauth.ResponseBodyError)
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_client')
  })

  it('RFC 7009 §2 via revocationRequest + processRevocationResponse', async () => {
    const pair = await passwordGrant('app', oauth.None(), USER)
    const res = await oauth.revocationRequest(
      as,
      { client_id: 'app' },
      oauth.None(),
      pair.refresh_token as string,
      {
        ...insecure,
        additionalParameters: { token_type_hint: 'refresh_token' },
      },
    )
    await expect(oauth.processRevocationResponse(res)).resolves.toBeUndefined()
    expect(await rsIntrospects(pair.access_token)).toEqual({ active: false })
  })

  it('RFC 7662 §2 via introspectionRequest + processIntrospectionResponse', async () => {
    const token = await serviceGrant('svc', oauth.ClientSecretBasic(secrets.svc))
    const result = await rsIntrospects(token.access_token)
    expect(result).toMatchObject({ active: true, client_id: 'svc', sub: 'svc', aud: 'urn:orders' })
    expect(result.jti).toBeTypeOf('string')
  })

  it('RFC 7662 §2.1: a public client may not introspect (invalid_client)', async () => {
    const c = { client_id: 'app' }
    const res = await oauth.introspectionRequest(as, c, oauth.None(), 'anything', insecure)
    const err = await caught(oauth.processIntrospectionResponse(as, c, res))
    expect(err).toBeInstanceOf(oauth.ResponseBodyError)
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_client')
    expect((err as oauth.ResponseBodyError).status).toBe(401)
  })

  describe('RFC 6749 §5.2 errors surface as ResponseBodyError', () => {
    const expectError = async (promise: Promise<unknown>, error: string) => {
      const err = await caught(promise)
      expect(err).toBeInstanceOf(oauth.ResponseBodyError)
      expect((err as oauth.ResponseBodyError).error).toBe(error)
    }

    it('invalid_client: an assertion signed by a key the client never registered', async () => {
      await expectError(
        serviceGrant('svc-es256', oauth.PrivateKeyJwt(keys.rs256.privateKey)),
        'invalid_client',
      )
    })
    it('invalid_grant: a wrong password', async () => {
      await expectError(passwordGrant('app', oauth.None(), { ...USER, password: 'nope' }), 'invalid_grant')
    })
    it('unauthorized_client: the password grant for a third-party client', async () => {
      await expectError(passwordGrant('third-party', oauth.None(), USER), 'unauthorized_client')
    })
    it('unsupported_grant_type', async () => {
      const c = { client_id: 'app' }
      const res = await oauth.genericTokenEndpointRequest(as, c, oauth.None(), 'implicit', {}, insecure)
      await expectError(oauth.processGenericTokenEndpointResponse(as, c, res), 'unsupported_grant_type')
    })
    it('invalid_scope: the account scope for a service (it has no user)', async () => {
      await expectError(
        serviceGrant('svc', oauth.ClientSecretPost(secrets.svc), { scope: 'account' }),
        'invalid_scope',
      )
    })
    it('invalid_request: the password grant without a username', async () => {
      await expectError(passwordGrant('app', oauth.None(), { password: USER.password }), 'invalid_request')
    })
  })

  describe('RFC 9068 §4 via validateJwtAccessToken: a resource server accepts the access tokens', () => {
    it('a service token (client_credentials), at its audience', async () => {
      const token = await serviceGrant('svc', oauth.ClientSecretBasic(secrets.svc), {
        resource: 'urn:billing',
      })
      const claims = await validateAt(token.access_token, 'urn:billing')
      expect(claims).toMatchObject({ iss: issuer.url, sub: 'svc', client_id: 'svc', aud: 'urn:billing' })
    })

    it('a user token (password grant), at the issuer AUDIENCE', async () => {
      const pair = await passwordGrant('app', oauth.None(), USER)
      const claims = await validateAt(pair.access_token, DEFAULT_AUDIENCE)
      expect(claims).toMatchObject({ iss: issuer.url, client_id: 'app' })
      expect(claims.jti).toBeTypeOf('string')
    })

    it('not at another audience', async () => {
      const token = await serviceGrant('svc', oauth.ClientSecretBasic(secrets.svc))
      await expect(validateAt(token.access_token, 'urn:billing')).rejects.toThrow(/aud/)
    })
  })
})
