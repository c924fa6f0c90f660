import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { type ClientRecord, firstPartyPublicClient } from '../../core/clients/client-record.ts'
import { hashClientSecret, newClientSecret } from '../../core/clients/client-secret.ts'
import { createTestIssuer, TEST_ISSUER_URL, type TestIssuer } from '../../testing/test-issuer.ts'

let t: TestIssuer
let secret: string
const PASSWORD = 'correct horse battery staple'

beforeEach(async () => {
  t = await createTestIssuer({ AUDIENCE: 'api' })
  await t.addUser('alice', PASSWORD, ['user'])
  secret = newClientSecret()
  await addClient({
    id: 'billing',
    type: 'confidential',
    firstParty: false,
    grants: ['client_credentials'],
    scopes: ['invoices:read', 'invoices:write'],
    // The last for introspecting users' tokens (RFC 7662 §4: an API may learn about its own tokens).
    audiences: ['orders', 'ledger', 'api'],
    secretHash: hashClientSecret(secret),
  })
  await addClient({ id: 'spa', firstParty: false, grants: ['refresh_token'], scopes: ['orders:read'] })
})
afterEach(() => t.cleanup())

function addClient(overrides: Partial<ClientRecord> & { id: string }) {
  return t.store.records.insert(CLIENTS, { ...firstPartyPublicClient(overrides.id, t.now.ms), ...overrides })
}

const basic = (id: string, s: string) => `Basic ${Buffer.from(`${id}:${s}`).toString('base64')}`

function post(path: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  return t.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  })
}

async function expectOAuthError(res: Response, status: number, error: string) {
  const body = (await res.json()) as Record<string, unknown>
  expect({ status: res.status, error: body.error }).toEqual({ status, error })
  expect(typeof body.error_description).toBe('string')
  expect(res.headers.get('cache-control')).toBe('no-store')
  return body
}

async function verify(token: string, audience: string) {
  const jwks = (await (await t.request('/.well-known/jwks.json')).json()) as JSONWebKeySet
  return (
    await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: TEST_ISSUER_URL,
      audience,
      typ: 'at+jwt',
      currentDate: new Date(t.now.ms),
    })
  ).payload
}

const passwordGrant = (extra: Record<string, string> = {}) =>
  post('/oauth/token', {
    grant_type: 'password',
    username: 'alice',
    password: PASSWORD,
    client_id: 'default',
    ...extra,
  })

describe('POST /oauth/token (RFC 6749 §3.2)', () => {
  it('§4.3 password grant: the login of /auth/login for the default first-party client', async () => {
    const res = await passwordGrant()
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('pragma')).toBe('no-cache')
    const body = (await res.json()) as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ])
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: '' })
    expect(await verify(body.access_token as string, 'api')).toMatchObject({
      client_id: 'default',
      sid: expect.any(String),
    })
  })

  it('§4.3 refuses a wrong password (invalid_grant) and a client without the grant (unauthorized_client)', async () => {
    await expectOAuthError(await passwordGrant({ password: 'wrong' }), 400, 'invalid_grant')
    await expectOAuthError(await passwordGrant({ client_id: 'spa' }), 400, 'unauthorized_client')
  })

  it('§6 refresh_token grant: rotates, binds the token to its client, and reuse revokes the session', async () => {
    const first = (await (await passwordGrant()).json()) as { refresh_token: string }
    const wrongClient = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
      client_id: 'spa',
    })
    await expectOAuthError(wrongClient, 400, 'invalid_grant')
    const rotated = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
      client_id: 'default',
    })
    expect(rotated.status).toBe(200)
    const next = (await rotated.json()) as { refresh_token: string; access_token: string }
    expect(next.refresh_token).not.toBe(first.refresh_token)
    // The same rotation as /auth/refresh: the successor refreshes there too.
    const viaJson = await t.request('/auth/refresh', {
      method: 'POST',
      json: { refreshToken: next.refresh_token },
    })
    expect(viaJson.status).toBe(200)
    t.advance(60_000)
    await expectOAuthError(
      await post('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token }),
      400,
      'invalid_grant',
    )
    expect(t.logs.some((l) => l.includes('refresh_reuse_detected'))).toBe(true)
  })

  it('§6 narrows the scope for the access token and refuses widening it (invalid_scope) without consuming', async () => {
    const first = (await (await passwordGrant({ scope: 'account' })).json()) as {
      refresh_token: string
      scope: string
    }
    expect(first.scope).toBe('account')
    await expectOAuthError(
      await post('/oauth/token', {
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
        scope: 'admin',
      }),
      400,
      'invalid_scope',
    )
    const again = await post('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    })
    expect(again.status).toBe(200)
  })

  it('§4.4 client_credentials: a service token with sub = client_id, no sid, no refresh token', async () => {
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'invoices:read' },
      { authorization: basic('billing', secret) },
    )
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    expect(body).not.toHaveProperty('refresh_token')
    expect(body.scope).toBe('invoices:read')
    const claims = await verify(body.access_token as string, 'orders')
    expect(claims).toMatchObject({
      sub: 'billing',
      client_id: 'billing',
      scope: 'invoices:read',
      aud: 'orders',
    })
    expect(claims).not.toHaveProperty('sid')
  })

  it('§3.3 client_credentials without a scope: the client API scopes, not the OpenID ones that describe a user', async () => {
    await t.store.records.update(
      CLIENTS,
      { id: 'billing' },
      {
        grants: ['client_credentials', 'authorization_code'],
        scopes: ['openid', 'profile', 'email', 'invoices:read'],
        redirectUris: ['https://billing.example/cb'],
        updatedAt: t.now.ms,
      },
    )
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic('billing', secret) },
    )
    expect(((await res.json()) as { scope: string }).scope).toBe('invoices:read')
  })

  it('§4.4 picks the audience with resource (RFC 8707) or audience, within the client, else invalid_target', async () => {
    for (const param of ['resource', 'audience']) {
      const res = await post(
        '/oauth/token',
        { grant_type: 'client_credentials', [param]: 'ledger' },
        { authorization: basic('billing', secret) },
      )
      const body = (await res.json()) as { access_token: string; scope: string }
      expect((await verify(body.access_token, 'ledger')).aud).toBe('ledger')
      expect(body.scope).toBe('invoices:read invoices:write')
    }
    await expectOAuthError(
      await post(
        '/oauth/token',
        { grant_type: 'client_credentials', resource: 'payroll' },
        { authorization: basic('billing', secret) },
      ),
      400,
      'invalid_target',
    )
  })

  it('§5.2 errors: invalid_client (with the Basic challenge), invalid_scope, unsupported_grant_type, invalid_request', async () => {
    const badSecret = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basic('billing', newClientSecret()) },
    )
    await expectOAuthError(badSecret, 401, 'invalid_client')
    expect(badSecret.headers.get('www-authenticate')).toBe('Basic realm="tokensmith"')
    const postSecret = await post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: 'billing',
      client_secret: 'nope',
    })
    await expectOAuthError(postSecret, 401, 'invalid_client')
    expect(postSecret.headers.get('www-authenticate')).toBeNull()
    await expectOAuthError(
      await post(
        '/oauth/token',
        { grant_type: 'client_credentials', scope: 'payroll' },
        { authorization: basic('billing', secret) },
      ),
      400,
      'invalid_scope',
    )
    await expectOAuthError(
      await post('/oauth/token', { grant_type: 'client_credentials', client_id: 'spa' }),
      400,
      'unauthorized_client',
    )
    await expectOAuthError(
      await post('/oauth/token', { grant_type: 'implicit' }),
      400,
      'unsupported_grant_type',
    )
    await expectOAuthError(await post('/oauth/token', {}), 400, 'invalid_request')
    const json = await t.request('/oauth/token', { method: 'POST', json: { grant_type: 'password' } })
    await expectOAuthError(json, 400, 'invalid_request')
    const repeated = await t.request('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&grant_type=password',
    })
    await expectOAuthError(repeated, 400, 'invalid_request')
  })

  it("§6 tells only the token's own client which scopes its session lacks (no scope oracle)", async () => {
    const portalSecret = newClientSecret()
    await addClient({
      id: 'portal',
      type: 'confidential',
      grants: ['password', 'refresh_token'],
      scopes: ['a'],
      secretHash: hashClientSecret(portalSecret),
    })
    const auth = { authorization: basic('portal', portalSecret) }
    const pair = (await (
      await passwordGrant({ client_id: 'portal', scope: 'a' }).catch(() => null)
    )?.json()) as { refresh_token?: string } | undefined
    expect(pair?.refresh_token).toBeUndefined() // portal must authenticate
    const granted = (await (
      await post(
        '/oauth/token',
        { grant_type: 'password', username: 'alice', password: PASSWORD, scope: 'a' },
        auth,
      )
    ).json()) as { refresh_token: string }
    const probe = { grant_type: 'refresh_token', refresh_token: granted.refresh_token, scope: 'b' }
    await expectOAuthError(
      await post('/oauth/token', { ...probe, client_id: 'default' }),
      400,
      'invalid_grant',
    )
    await expectOAuthError(await post('/oauth/token', probe, auth), 400, 'invalid_scope')
  })

  it('takes POST only: other methods get 405 with Allow: POST and the §5.2 body', async () => {
    for (const path of ['/oauth/token', '/oauth/revoke', '/oauth/introspect']) {
      const res = await t.request(path)
      expect(res.headers.get('allow')).toBe('POST')
      await expectOAuthError(res, 405, 'invalid_request')
    }
  })

  it('answers too many failed logins with 429 and Retry-After', async () => {
    for (let i = 0; i < 5; i++) await passwordGrant({ password: `wrong-${i}` })
    const res = await passwordGrant()
    expect(res.status).toBe(429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe('POST /oauth/revoke (RFC 7009)', () => {
  it('§2.1 an unknown token answers 200; another client valid token is unauthorized_client; neither changes anything', async () => {
    const pair = (await (await passwordGrant()).json()) as { refresh_token: string }
    expect((await post('/oauth/revoke', { token: 'rt_unknown', client_id: 'default' })).status).toBe(200)
    await expectOAuthError(
      await post('/oauth/revoke', { token: pair.refresh_token, client_id: 'spa' }),
      400,
      'unauthorized_client',
    )
    expect(
      (await post('/oauth/token', { grant_type: 'refresh_token', refresh_token: pair.refresh_token })).status,
    ).toBe(200)
  })

  it("§2.1 an access token ends its session, so the issuer's account endpoints refuse it at once", async () => {
    const pair = (await (await passwordGrant({ scope: 'account' })).json()) as { access_token: string }
    const sessions = () =>
      t.request('/auth/sessions', { headers: { authorization: `Bearer ${pair.access_token}` } })
    expect((await sessions()).status).toBe(200)
    const res = await post('/oauth/revoke', {
      token: pair.access_token,
      token_type_hint: 'access_token',
      client_id: 'default',
    })
    expect(res.status).toBe(200)
    expect((await sessions()).status).toBe(401)
  })
})

describe('POST /oauth/introspect (RFC 7662)', () => {
  const introspect = (token: string) =>
    post('/oauth/introspect', { token }, { authorization: basic('billing', secret) })

  it("§2.2 active users' and services' access tokens with their claims; inactive once revoked or expired", async () => {
    const user = (await (await passwordGrant()).json()) as { access_token: string; refresh_token: string }
    const active = (await (await introspect(user.access_token)).json()) as Record<string, unknown>
    expect(active).toMatchObject({
      active: true,
      client_id: 'default',
      token_type: 'Bearer',
      iss: TEST_ISSUER_URL,
      scope: '',
    })
    expect(Object.keys(active)).toEqual(expect.arrayContaining(['sub', 'exp', 'iat', 'aud', 'sid']))
    // The user's login context, as the token says it (RFC 9068 §2.2.1), for a gateway that steps up.
    expect(active).toMatchObject({
      acr: 'urn:tokensmith:acr:password',
      amr: ['pwd'],
      auth_time: Math.floor(t.now.ms / 1000),
    })
    const service = (await (
      await post(
        '/oauth/token',
        { grant_type: 'client_credentials' },
        { authorization: basic('billing', secret) },
      )
    ).json()) as { access_token: string }
    const serviceAnswer = (await (await introspect(service.access_token)).json()) as Record<string, unknown>
    expect(serviceAnswer).toMatchObject({ active: true, sub: 'billing' })
    for (const claim of ['acr', 'amr', 'auth_time']) expect(serviceAnswer).not.toHaveProperty(claim)
    await post('/oauth/revoke', { token: user.refresh_token, client_id: 'default' })
    expect(await (await introspect(user.access_token)).json()).toEqual({ active: false })
    t.advance(901_000)
    expect(await (await introspect(service.access_token)).json()).toEqual({ active: false })
    expect(await (await introspect('garbage')).json()).toEqual({ active: false })
  })

  it('§2.1 is for confidential clients only', async () => {
    await expectOAuthError(
      await post('/oauth/introspect', { token: 'x', client_id: 'default' }),
      401,
      'invalid_client',
    )
  })
})

describe('metadata (RFC 8414)', () => {
  it('lists exactly what exists: the authorization code flow with S256 PKCE only, answers with iss (RFC 9207 §3)', async () => {
    const res = await t.request('/.well-known/oauth-authorization-server')
    const doc = (await res.json()) as Record<string, unknown>
    expect(doc).toMatchObject({
      issuer: TEST_ISSUER_URL,
      token_endpoint: `${TEST_ISSUER_URL}/oauth/token`,
      revocation_endpoint: `${TEST_ISSUER_URL}/oauth/revoke`,
      introspection_endpoint: `${TEST_ISSUER_URL}/oauth/introspect`,
      authorization_endpoint: `${TEST_ISSUER_URL}/oauth/authorize`,
      grant_types_supported: ['authorization_code', 'password', 'refresh_token', 'client_credentials'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'none',
      ],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA', 'Ed25519'],
    })
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['account', 'invoices:read', 'orders:read']))
    // OpenID Connect's own fields are in its document (/.well-known/openid-configuration) only.
    for (const absent of [
      'id_token_signing_alg_values_supported',
      'userinfo_endpoint',
      'subject_types_supported',
    ]) {
      expect(doc).not.toHaveProperty(absent)
    }
    expect((await t.request('/.well-known/openid-configuration')).status).toBe(200)
  })
})

describe('the account endpoints take account tokens only', () => {
  it('refuses a token meant for a downstream API with 403 insufficient_scope naming the scope', async () => {
    const api = (await (await passwordGrant()).json()) as { access_token: string }
    const res = await t.request('/auth/sessions', {
      headers: { authorization: `Bearer ${api.access_token}` },
    })
    expect(res.status).toBe(403)
    expect(((await res.json()) as { code: string }).code).toBe('insufficient_scope')
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    expect(res.headers.get('www-authenticate')).toContain('scope="account"')
    const account = (await (await passwordGrant({ scope: 'account' })).json()) as { access_token: string }
    expect((await verify(account.access_token, TEST_ISSUER_URL)).aud).toBe(TEST_ISSUER_URL)
    expect(
      (await t.request('/auth/sessions', { headers: { authorization: `Bearer ${account.access_token}` } }))
        .status,
    ).toBe(200)
  })
})
