// Hostile and broken requests at the three /oauth endpoints, each with the exact RFC 6749 §5.2
// error it must get: every parameter missing, repeated or oversized; bodies that are not forms;
// malformed HTTP Basic; client assertions that must not pass (RFC 7523 §3, RFC 8725 §2.1-2.8).
// Never a 5xx, and the issuer keeps answering good requests after all of it.
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectOAuthErrorBody } from '../../testing/http-probe.ts'
import {
  basicAuth,
  createOAuthTestIssuer,
  OAUTH_USER,
  type OAuthTestIssuer,
} from '../../testing/oauth-test-issuer.ts'
import { TEST_ISSUER_URL } from '../../testing/test-issuer.ts'
import { JWT_BEARER_ASSERTION } from './client-credentials-of.ts'

let t: OAuthTestIssuer
let user: { accessToken: string; refreshToken: string }

beforeAll(async () => {
  t = await createOAuthTestIssuer()
  user = await t.userTokens()
})
afterAll(async () => {
  expect(t.leakedSecrets()).toEqual([])
  await t.cleanup()
})

type Params = Record<string, string>
const svcPost = (): Params => ({ client_id: 'svc', client_secret: t.svcSecret })

/** A valid request per endpoint and grant; each case below breaks one thing in it. */
const valid: Record<string, () => { path: string; params: Params }> = {
  client_credentials: () => ({
    path: '/oauth/token',
    params: { grant_type: 'client_credentials', ...svcPost() },
  }),
  password: () => ({ path: '/oauth/token', params: { grant_type: 'password', ...OAUTH_USER } }),
  refresh_token: () => ({
    path: '/oauth/token',
    params: { grant_type: 'refresh_token', refresh_token: `rt_${'A'.repeat(43)}` },
  }),
  revoke: () => ({ path: '/oauth/revoke', params: { token: user.accessToken, ...svcPost() } }),
  introspect: () => ({ path: '/oauth/introspect', params: { token: user.accessToken, ...svcPost() } }),
}

/** Every (request, parameter) pair of `valid`, known before the issuer exists (test collection). */
const PARAMS_OF: Record<string, string[]> = {
  client_credentials: ['grant_type', 'client_id', 'client_secret'],
  password: ['grant_type', 'username', 'password'],
  refresh_token: ['grant_type', 'refresh_token'],
  revoke: ['token', 'client_id', 'client_secret'],
  introspect: ['token', 'client_id', 'client_secret'],
}
const cases = Object.entries(PARAMS_OF).flatMap(([name, params]) => params.map((p) => [name, p] as const))

/** The answer once `name` is left out (RFC 6749 §5.2), with its status. */
const MISSING: Array<[string, string, number, string]> = [
  ['client_credentials', 'grant_type', 400, 'invalid_request'],
  ['client_credentials', 'client_id', 400, 'invalid_request'],
  // Without its secret, svc is a confidential client that did not authenticate.
  ['client_credentials', 'client_secret', 401, 'invalid_client'],
  ['password', 'grant_type', 400, 'invalid_request'],
  ['password', 'username', 400, 'invalid_request'],
  ['password', 'password', 400, 'invalid_request'],
  ['refresh_token', 'refresh_token', 400, 'invalid_request'],
  ['refresh_token', 'grant_type', 400, 'invalid_request'],
  ['revoke', 'token', 400, 'invalid_request'],
  ['revoke', 'client_id', 400, 'invalid_request'],
  ['revoke', 'client_secret', 401, 'invalid_client'],
  ['introspect', 'token', 400, 'invalid_request'],
  ['introspect', 'client_id', 400, 'invalid_request'],
  ['introspect', 'client_secret', 401, 'invalid_client'],
]

describe('RFC 6749 §5.2: a parameter missing', () => {
  it.each(MISSING)('%s without %s: %i %s', async (name, param, status, error) => {
    const { path, params } = valid[name]!()
    const { [param]: _dropped, ...rest } = params
    await expectOAuthErrorBody(await t.form(path, rest), status, error)
  })

  it.each(MISSING)(
    '%s with %s empty (RFC 6749 §3.1: as if absent): %i %s',
    async (name, param, status, error) => {
      const { path, params } = valid[name]!()
      await expectOAuthErrorBody(await t.form(path, { ...params, [param]: '' }), status, error)
    },
  )

  it('introspection with no client authentication at all: the default public client, refused (RFC 7662 §2.1)', async () => {
    await expectOAuthErrorBody(
      await t.form('/oauth/introspect', { token: user.accessToken }),
      401,
      'invalid_client',
    )
  })
})

describe('RFC 6749 §3.2: a parameter repeated is invalid_request', () => {
  it('the parameter lists match the requests', () => {
    for (const [name, make] of Object.entries(valid))
      expect(Object.keys(make().params)).toEqual(PARAMS_OF[name])
  })
  it.each(cases)('%s with %s twice', async (name, param) => {
    const { path, params } = valid[name]!()
    const body = `${new URLSearchParams(params).toString()}&${encodeURIComponent(param)}=${encodeURIComponent(params[param] ?? '')}`
    await expectOAuthErrorBody(await t.form(path, body), 400, 'invalid_request')
  })
})

describe('oversized parameters and bodies', () => {
  it.each(cases)('%s with a 5,000-character %s: invalid_request', async (name, param) => {
    const { path, params } = valid[name]!()
    await expectOAuthErrorBody(
      await t.form(path, { ...params, [param]: 'x'.repeat(5000) }),
      400,
      'invalid_request',
    )
  })

  it.each(Object.keys(valid))('%s: a body over MAX_BODY_BYTES is a 413 invalid_request', async (name) => {
    const { path, params } = valid[name]!()
    const body = `${new URLSearchParams(params).toString()}&pad=${'x'.repeat(9000)}`
    await expectOAuthErrorBody(await t.form(path, body), 413, 'invalid_request')
  })

  it('a scope over 1,024 characters: invalid_scope', async () => {
    const { path, params } = valid.client_credentials!()
    await expectOAuthErrorBody(
      await t.form(path, { ...params, scope: 'a '.repeat(600) }),
      400,
      'invalid_scope',
    )
  })

  it('a password over the hasher bound (1 KiB): invalid_request, before any hashing', async () => {
    const { path, params } = valid.password!()
    await expectOAuthErrorBody(
      await t.form(path, { ...params, password: 'p'.repeat(2000) }),
      400,
      'invalid_request',
    )
  })
})

describe('bodies that are not application/x-www-form-urlencoded (RFC 6749 §3.2): invalid_request', () => {
  const endpoints = ['/oauth/token', '/oauth/revoke', '/oauth/introspect']
  it.each(endpoints)('%s: JSON', async (path) => {
    const res = await t.request(path, {
      method: 'POST',
      json: { grant_type: 'client_credentials', ...svcPost() },
    })
    await expectOAuthErrorBody(res, 400, 'invalid_request')
  })
  it.each(endpoints)('%s: multipart/form-data', async (path) => {
    const data = new FormData()
    data.set('grant_type', 'client_credentials')
    data.set('client_id', 'svc')
    data.set('client_secret', t.svcSecret)
    data.set('token', user.accessToken)
    await expectOAuthErrorBody(await t.request(path, { method: 'POST', body: data }), 400, 'invalid_request')
  })
  it.each(endpoints)('%s: no body, no content type', async (path) => {
    await expectOAuthErrorBody(await t.request(path, { method: 'POST' }), 400, 'invalid_request')
  })
  it.each(endpoints)('%s: a broken percent-encoding', async (path) => {
    await expectOAuthErrorBody(
      await t.form(path, 'grant_type=client%ZZcredentials&token=%'),
      400,
      'invalid_request',
    )
  })
})

describe('HTTP Basic client authentication (RFC 6749 §2.3.1)', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  const MALFORMED = [
    ['no credentials', 'Basic'],
    ['not base64', 'Basic !!!!'],
    ['no colon', `Basic ${b64('svc')}`],
    ['an empty client id', `Basic ${b64(':secret')}`],
    ['an empty secret', `Basic ${b64('svc:')}`],
    ['a broken percent-encoding', `Basic ${b64('svc:%zz')}`],
    ['another scheme', 'Bearer abc'],
    ['a second token', `Basic ${b64('svc:x')} ${b64('svc:y')}`],
  ]
  it.each(MALFORMED)('%s: invalid_request', async (_name, header) => {
    const res = await t.form(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: header as string },
    )
    await expectOAuthErrorBody(res, 400, 'invalid_request')
  })

  it.each([
    ['a wrong secret', () => basicAuth('svc', 'cs_wrong')],
    ['an unknown client', () => basicAuth('nobody', t.svcSecret)],
    ['a public client with a secret', () => basicAuth('default', t.svcSecret)],
  ])('%s: 401 invalid_client with WWW-Authenticate: Basic (§5.2)', async (_name, header) => {
    const res = await t.form(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: header() },
    )
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="tokensmith"')
    await expectOAuthErrorBody(res, 401, 'invalid_client')
  })

  it('Basic and a client_secret in the body at once (§2.3: one method only): invalid_request', async () => {
    const res = await t.form(
      '/oauth/token',
      { grant_type: 'client_credentials', client_secret: t.svcSecret },
      { authorization: basicAuth('svc', t.svcSecret) },
    )
    await expectOAuthErrorBody(res, 400, 'invalid_request')
  })

  it('a client_id parameter naming another client than Basic does: invalid_request', async () => {
    const res = await t.form(
      '/oauth/token',
      { grant_type: 'client_credentials', client_id: 'svc-jwt' },
      { authorization: basicAuth('svc', t.svcSecret) },
    )
    await expectOAuthErrorBody(res, 400, 'invalid_request')
  })

  it('the right Basic credentials still work after all of that', async () => {
    const res = await t.form(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basicAuth('svc', t.svcSecret) },
    )
    expect(res.status).toBe(200)
  })
})

describe('client assertions that must not authenticate (RFC 7523 §3): 401 invalid_client', () => {
  const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const nowSec = () => Math.floor(t.now.ms / 1000)
  const claims = () => ({
    iss: 'svc-jwt',
    sub: 'svc-jwt',
    aud: t.tokenEndpoint,
    iat: nowSec(),
    exp: nowSec() + 60,
    jti: crypto.randomUUID(),
  })
  const grant = (assertion: string, extra: Params = {}) =>
    t.form('/oauth/token', {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER_ASSERTION,
      client_assertion: assertion,
      ...extra,
    })
  const sign = (over: Partial<Parameters<OAuthTestIssuer['svcKey']['sign']>[0]> = {}) =>
    t.svcKey.sign({ clientId: 'svc-jwt', audience: t.tokenEndpoint, now: t.now.ms, ...over })

  const REFUSED: Array<[string, () => Promise<string>]> = [
    ['alg none, no signature', async () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}.`],
    [
      "HS256 keyed with the client's own public key (algorithm confusion)",
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(t.svcKey.publicJwk))
        return new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: t.svcKey.kid }).sign(secret)
      },
    ],
    [
      'HS256 keyed with its public modulus',
      async () => {
        const secret = Buffer.from(String(t.svcKey.publicJwk.n), 'base64url')
        return new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(secret)
      },
    ],
    ['expired', () => sign({ now: t.now.ms - 10 * 60_000 })],
    ['valid for longer than an hour', () => sign({ lifetimeSec: 3700 })],
    ['for another audience', () => sign({ audience: 'https://other-issuer.example/oauth/token' })],
    [
      'for the revocation endpoint, used at the token endpoint',
      () => sign({ audience: `${TEST_ISSUER_URL}/oauth/revoke` }),
    ],
    [
      'signed by a key the client never registered',
      () => t.strangerKey.sign({ clientId: 'svc-jwt', audience: t.tokenEndpoint, now: t.now.ms }),
    ],
    ['without a jti', () => sign({ jti: null })],
    ['iss other than sub', () => sign({ iss: 'svc' })],
    ['naming another client as sub', () => sign({ sub: 'svc', iss: 'svc' })],
    ['for an unknown client', () => sign({ clientId: 'nobody' })],
    ['garbage', async () => 'not.a.jwt'],
    [
      'a valid signature over a tampered payload',
      async () => {
        const [h, , s] = (await sign()).split('.')
        return `${h}.${b64url({ ...claims(), sub: 'svc', iss: 'svc' })}.${s}`
      },
    ],
  ]
  it.each(REFUSED)('%s', async (_name, make) => {
    const res = await grant(await make())
    expect(res.headers.get('www-authenticate')).toBeNull()
    await expectOAuthErrorBody(res, 401, 'invalid_client')
  })

  it('replayed: the first use works, the second is invalid_client', async () => {
    const assertion = await sign()
    expect((await grant(assertion)).status).toBe(200)
    await expectOAuthErrorBody(await grant(assertion), 401, 'invalid_client')
  })

  it("a client_id parameter other than the assertion's sub: invalid_client", async () => {
    await expectOAuthErrorBody(await grant(await sign(), { client_id: 'svc' }), 401, 'invalid_client')
  })

  it('a wrong client_assertion_type, or an assertion without one: invalid_request', async () => {
    const assertion = await sign()
    const res = await t.form('/oauth/token', {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
      client_assertion: assertion,
    })
    await expectOAuthErrorBody(res, 400, 'invalid_request')
    const untyped = await t.form('/oauth/token', {
      grant_type: 'client_credentials',
      client_assertion: assertion,
    })
    await expectOAuthErrorBody(untyped, 400, 'invalid_request')
    const typeOnly = await t.form('/oauth/token', {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER_ASSERTION,
    })
    await expectOAuthErrorBody(typeOnly, 400, 'invalid_request')
  })

  it('an assertion and a client secret at once (§2.3: one method only): invalid_request', async () => {
    await expectOAuthErrorBody(
      await grant(await sign(), { client_secret: t.svcSecret }),
      400,
      'invalid_request',
    )
  })

  it('a fresh, well-formed assertion still works after all of that', async () => {
    expect((await grant(await sign())).status).toBe(200)
  })
})

describe('grants and their parameters', () => {
  it('grant_type=authorization_code for a client without that grant: unauthorized_client', async () => {
    const res = await t.form('/oauth/token', {
      ...valid.client_credentials!().params,
      grant_type: 'authorization_code',
      code: 'A'.repeat(43),
    })
    await expectOAuthErrorBody(res, 400, 'unauthorized_client')
  })

  it.each(['implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'PASSWORD', 'x'.repeat(300)])(
    'grant_type=%s: unsupported_grant_type',
    async (grant) => {
      const res = await t.form('/oauth/token', { ...valid.client_credentials!().params, grant_type: grant })
      await expectOAuthErrorBody(res, 400, 'unsupported_grant_type')
    },
  )

  it('resource and audience naming two different audiences (RFC 8707): invalid_request', async () => {
    const { path, params } = valid.client_credentials!()
    await expectOAuthErrorBody(
      await t.form(path, { ...params, resource: 'urn:orders', audience: 'urn:billing' }),
      400,
      'invalid_request',
    )
  })

  it('an audience the client may not reach: invalid_target', async () => {
    const { path, params } = valid.client_credentials!()
    await expectOAuthErrorBody(
      await t.form(path, { ...params, resource: 'urn:billing' }),
      400,
      'invalid_target',
    )
  })

  it('a malformed scope token: invalid_scope', async () => {
    const { path, params } = valid.client_credentials!()
    await expectOAuthErrorBody(
      await t.form(path, { ...params, scope: 'orders:read "quoted"' }),
      400,
      'invalid_scope',
    )
  })

  it('a refresh token of another shape, or one never issued: invalid_grant', async () => {
    for (const token of ['not-a-token', 'rt_', `rt_${'A'.repeat(43)}`, user.accessToken]) {
      const res = await t.form('/oauth/token', { grant_type: 'refresh_token', refresh_token: token })
      await expectOAuthErrorBody(res, 400, 'invalid_grant')
    }
  })

  it('a wrong password, and an unknown user: the same invalid_grant', async () => {
    const wrong = await t.form('/oauth/token', { grant_type: 'password', ...OAUTH_USER, password: 'wrong' })
    const unknown = await t.form('/oauth/token', {
      grant_type: 'password',
      username: 'mallory',
      password: 'wrong',
    })
    const a = await expectOAuthErrorBody(wrong, 400, 'invalid_grant')
    const b = await expectOAuthErrorBody(unknown, 400, 'invalid_grant')
    expect(a).toEqual(b)
  })

  it('unrecognised parameters are ignored (RFC 6749 §3.1)', async () => {
    const { path, params } = valid.client_credentials!()
    expect((await t.form(path, { ...params, foo: 'bar', nonce: 'x' })).status).toBe(200)
  })

  it('revocation of garbage, or of a token type hint nobody knows, is still a 200 (RFC 7009 §2.2)', async () => {
    const extras: Params[] = [{ token: 'garbage' }, { token: 'garbage', token_type_hint: 'id_token' }]
    for (const extra of extras) {
      const res = await t.form('/oauth/revoke', { ...svcPost(), ...extra })
      expect(res.status).toBe(200)
    }
  })

  it('the issuer still answers good requests', async () => {
    expect((await t.form('/oauth/token', valid.client_credentials!().params)).status).toBe(200)
    expect((await t.userTokens()).refreshToken).toMatch(/^rt_/)
  })
})
