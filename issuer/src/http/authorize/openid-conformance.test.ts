// A port of the OpenID Foundation's conformance plans for an OpenID Provider, module by module:
// Basic OP (oidcc-basic-certification-test-plan, static client, client_secret_basic), Config OP
// (oidcc-config-certification-test-plan) and RP-Initiated Logout OP
// (oidcc-rp-initiated-logout-certification-test-plan). Each test names its module and checks what
// that module fails or warns on. The clients are registered as docs/oidc.md tells an operator to
// register the suite's (confidential, no PKCE, `openid profile email address phone offline_access`).
// In process, with the issuer's clock, so max_age and code reuse after 30 s take no waiting.
import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { hashClientSecret, newClientSecret } from '../../core/clients/client-secret.ts'
import { accessTokenHash } from '../../core/tokens/id-token-signer.ts'
import { findUserByUsername } from '../../core/users/find-user-by-username.ts'
import { USERS } from '../../core/users/user-collection.ts'
import {
  type BrowserSession,
  createBrowserSession,
  hiddenFieldsOf,
  pkcePair,
} from '../../testing/browser-session.ts'
import {
  basicAuth,
  createOAuthTestIssuer,
  OAUTH_USER,
  type OAuthTestIssuer,
} from '../../testing/oauth-test-issuer.ts'
import { serviceClient } from '../../testing/service-client.ts'
import { TEST_ISSUER_URL } from '../../testing/test-issuer.ts'

const SUITE = 'https://localhost.emobix.co.uk:8443/test/a/tokensmith'
const CALLBACK = `${SUITE}/callback`
const CALLBACK_WITH_QUERY = `${CALLBACK}?dummy1=lorem&dummy2=ipsum`
const POST_LOGOUT = `${SUITE}/post_logout_redirect`
const SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access']
const PROFILE = {
  email: 'alice@example.com',
  emailVerified: true,
  name: 'Alice Liddell',
  givenName: 'Alice',
  familyName: 'Liddell',
}
/** RFC 6749 §4.1.2.1 and §5.2: the characters an error_description may hold. */
const DESCRIPTION = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/

let t: OAuthTestIssuer
let secret: string
let postSecret: string

beforeAll(async () => {
  t = await createOAuthTestIssuer({ COOKIE_SECURE: 'false' })
  const alice = await findUserByUsername(t.store.records, OAUTH_USER.username)
  await t.store.records.update(USERS, { id: alice?.id ?? '' }, { ...PROFILE, updatedAt: t.now.ms })
  secret = newClientSecret()
  postSecret = newClientSecret()
  const suiteClient = {
    grants: ['authorization_code' as const, 'refresh_token' as const],
    scopes: SCOPES,
    firstParty: true,
    redirectUris: [CALLBACK, CALLBACK_WITH_QUERY],
    postLogoutRedirectUris: [POST_LOGOUT],
  }
  await t.store.records.insert(
    CLIENTS,
    serviceClient('conformance', t.now.ms, { ...suiteClient, secretHash: hashClientSecret(secret) }),
  )
  await t.store.records.insert(
    CLIENTS,
    serviceClient('conformance-post', t.now.ms, { ...suiteClient, secretHash: hashClientSecret(postSecret) }),
  )
})

afterAll(async () => {
  expect(t.leakedSecrets()).toEqual([])
  await t?.cleanup()
})

interface Authorize {
  client?: string
  redirectUri?: string
  scope?: string
  extra?: Record<string, string>
}

function authorizeUrl(a: Authorize = {}): { url: string; state: string; nonce: string } {
  const state = `st-${Math.random().toString(36).slice(2)}`
  const nonce = `no-${Math.random().toString(36).slice(2)}`
  const q = new URLSearchParams({
    client_id: a.client ?? 'conformance',
    redirect_uri: a.redirectUri ?? CALLBACK,
    response_type: 'code',
    scope: a.scope ?? 'openid',
    state,
    nonce,
    ...a.extra,
  })
  return { url: `/oauth/authorize?${q}`, state, nonce }
}

const browser = (): BrowserSession =>
  createBrowserSession((path, init) => t.request(path, init), TEST_ISSUER_URL)

/** Follows the hosted pages (signing in when asked) to the redirect back; counts the login pages. */
async function authorize(b: BrowserSession, a: Authorize = {}) {
  const { url, state, nonce } = authorizeUrl(a)
  let res = await b.get(url)
  let loginPages = 0
  for (let step = 0; step < 3 && res.status === 200; step++) {
    const page = await res.text()
    const fields = hiddenFieldsOf(page)
    expect(page).toContain('name="password"')
    loginPages++
    fields.set('username', OAUTH_USER.username)
    fields.set('password', OAUTH_USER.password)
    res = await b.post('/oauth/authorize', fields)
  }
  const location = res.headers.get('location')
  if (location === null) throw new Error(`no redirect: ${res.status} ${await res.text()}`)
  return { location: new URL(location), state, nonce, loginPages }
}

async function token(params: Record<string, string>, client: 'basic' | 'post' = 'basic') {
  const auth: { headers: Record<string, string>; body: Record<string, string> } =
    client === 'basic'
      ? { headers: { authorization: basicAuth('conformance', secret) }, body: {} }
      : { headers: {}, body: { client_id: 'conformance-post', client_secret: postSecret } }
  const res = await t.form('/oauth/token', { ...params, ...auth.body }, auth.headers)
  return { res, body: (await res.json()) as Record<string, unknown> }
}

async function codeTokens(
  location: URL,
  redirectUri = CALLBACK,
  client: 'basic' | 'post' = 'basic',
): Promise<Record<string, unknown>> {
  const code = location.searchParams.get('code')
  expect(code, `${location}`).not.toBeNull()
  const { res, body } = await token(
    { grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri },
    client,
  )
  expect(res.status, JSON.stringify(body)).toBe(200)
  return body
}

/** What the suite's ValidateIdToken* conditions check, and the claims. */
async function idTokenClaims(idToken: unknown, aud = 'conformance'): Promise<JWTPayload> {
  expect(typeof idToken).toBe('string')
  const jwks = (await (await t.request('/.well-known/jwks.json')).json()) as { keys: { kid: string }[] }
  const header = decodeProtectedHeader(idToken as string)
  expect(header.alg).toBe('RS256')
  expect(jwks.keys.map((k) => k.kid)).toContain(header.kid)
  const { payload } = await jwtVerify(idToken as string, createLocalJWKSet(jwks as never), {
    issuer: TEST_ISSUER_URL,
    audience: aud,
    currentDate: new Date(t.now.ms),
  })
  expect(payload.sub).toEqual(expect.any(String))
  expect(payload.iat).toEqual(expect.any(Number))
  expect(payload.exp as number).toBeGreaterThan(payload.iat as number)
  expect(payload.auth_time).toEqual(expect.any(Number))
  return payload
}

async function userinfo(accessToken: string, how: 'get' | 'post-header' | 'post-body' = 'get') {
  const res =
    how === 'get'
      ? await t.request('/oauth/userinfo', { headers: { authorization: `Bearer ${accessToken}` } })
      : how === 'post-header'
        ? await t.request('/oauth/userinfo', {
            method: 'POST',
            headers: { authorization: `Bearer ${accessToken}` },
          })
        : await t.form('/oauth/userinfo', { access_token: accessToken })
  return { res, body: (await res.json()) as Record<string, unknown> }
}

describe('Basic OP plan (static client, client_secret_basic, no PKCE)', () => {
  it('oidcc-server: code flow, token response, ID token, at_hash, userinfo sub', async () => {
    const b = browser()
    const { location, state, nonce } = await authorize(b)
    expect(location.origin + location.pathname).toBe(CALLBACK)
    expect(location.searchParams.get('state')).toBe(state)
    expect(location.searchParams.get('iss')).toBe(TEST_ISSUER_URL)
    const code = location.searchParams.get('code') ?? ''
    const { res, body } = await token({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(String(body.token_type).toLowerCase()).toBe('bearer')
    expect(body.expires_in).toEqual(expect.any(Number))
    expect(body.scope).toBe('openid')
    const claims = await idTokenClaims(body.id_token)
    expect(claims.nonce).toBe(nonce)
    expect(claims.at_hash).toBe(accessTokenHash(String(body.access_token), 'RS256'))
    expect(decodeProtectedHeader(String(body.id_token)).typ).toBe('JWT')
    const info = await userinfo(String(body.access_token))
    expect(info.res.status).toBe(200)
    expect(info.body.sub).toBe(claims.sub)
  })

  it('oidcc-response-type-missing: an error back to the client, with state', async () => {
    const { url } = authorizeUrl()
    const withoutType = url.replace('response_type=code&', '')
    const res = await browser().get(withoutType)
    const location = new URL(res.headers.get('location') ?? '')
    expect(location.searchParams.get('error')).toBe('invalid_request')
    expect(location.searchParams.get('state')).toMatch(/^st-/)
    expect(location.searchParams.get('error_description')).toMatch(DESCRIPTION)
  })

  it('oidcc-userinfo-get, -post-header, -post-body (RFC 6750 §2.1, §2.2)', async () => {
    const body = await codeTokens((await authorize(browser())).location)
    for (const how of ['get', 'post-header', 'post-body'] as const) {
      const info = await userinfo(String(body.access_token), how)
      expect(info.res.status, how).toBe(200)
      expect(info.body.sub).toEqual(expect.any(String))
    }
    // RFC 6750 §2: one method per request.
    const both = await t.form(
      '/oauth/userinfo',
      { access_token: String(body.access_token) },
      { authorization: `Bearer ${body.access_token}` },
    )
    expect(both.status).toBe(400)
    expect(((await both.json()) as { error: string }).error).toBe('invalid_request')
  })

  it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow', async () => {
    const b = browser()
    const { url } = authorizeUrl()
    const res = await b.get(url.replace(/&nonce=[^&]*/, ''))
    const fields = hiddenFieldsOf(await res.text())
    fields.set('username', OAUTH_USER.username)
    fields.set('password', OAUTH_USER.password)
    const done = await b.post('/oauth/authorize', fields)
    const body = await codeTokens(new URL(done.headers.get('location') ?? ''))
    expect((await idTokenClaims(body.id_token)).nonce).toBeUndefined()
  })

  it('oidcc-scope-profile, -email, -all: the claims of each scope in userinfo and the ID token', async () => {
    const cases: [string, Record<string, unknown>, string[]][] = [
      [
        'openid profile',
        { name: PROFILE.name, given_name: 'Alice', family_name: 'Liddell', preferred_username: 'alice' },
        ['email'],
      ],
      ['openid email', { email: PROFILE.email, email_verified: true }, ['name', 'preferred_username']],
      ['openid profile email address phone', { name: PROFILE.name, email: PROFILE.email }, []],
    ]
    for (const [scope, expected, absent] of cases) {
      const body = await codeTokens((await authorize(browser(), { scope })).location)
      const info = await userinfo(String(body.access_token))
      expect(info.body, scope).toMatchObject(expected)
      for (const claim of absent) expect(info.body[claim], `${scope}: ${claim}`).toBeUndefined()
      expect(await idTokenClaims(body.id_token)).toMatchObject(expected)
      expect(info.body.updated_at === undefined || typeof info.body.updated_at === 'number').toBe(true)
    }
  })

  it('oidcc-ensure-other-scope-order-succeeds', async () => {
    const body = await codeTokens((await authorize(browser(), { scope: 'email openid' })).location)
    expect((await userinfo(String(body.access_token))).body.email).toBe(PROFILE.email)
  })

  it('oidcc-display-page, -popup, oidcc-ui-locales, oidcc-claims-locales, unknown parameters: accepted', async () => {
    for (const extra of [
      { display: 'page' } as Record<string, string>,
      { display: 'popup' },
      { ui_locales: 'se' },
      { claims_locales: 'se' },
      { extra: 'foobar' },
    ]) {
      const { location } = await authorize(browser(), { extra })
      expect(location.searchParams.get('code'), JSON.stringify(extra)).not.toBeNull()
    }
  })

  it('oidcc-prompt-login: signs in again, with a later auth_time', async () => {
    const b = browser()
    const first = await idTokenClaims((await codeTokens((await authorize(b)).location)).id_token)
    t.advance(2000)
    const again = await authorize(b, { extra: { prompt: 'login' } })
    expect(again.loginPages).toBe(1)
    const second = await idTokenClaims((await codeTokens(again.location)).id_token)
    expect(second.auth_time as number).toBeGreaterThan(first.auth_time as number)
  })

  it('oidcc-prompt-none-not-logged-in: login_required back to the client, with state', async () => {
    const { url, state } = authorizeUrl({ extra: { prompt: 'none' } })
    const res = await browser().get(url)
    const location = new URL(res.headers.get('location') ?? '')
    expect(location.searchParams.get('error')).toBe('login_required')
    expect(location.searchParams.get('state')).toBe(state)
  })

  it('oidcc-prompt-none-logged-in: a code with no page, the same auth_time', async () => {
    const b = browser()
    const first = await idTokenClaims((await codeTokens((await authorize(b)).location)).id_token)
    t.advance(1000)
    const again = await authorize(b, { extra: { prompt: 'none' } })
    expect(again.loginPages).toBe(0)
    expect((await idTokenClaims((await codeTokens(again.location)).id_token)).auth_time).toBe(first.auth_time)
  })

  it('oidcc-max-age-1 signs in again; oidcc-max-age-10000 does not', async () => {
    const b = browser()
    const first = await idTokenClaims((await codeTokens((await authorize(b)).location)).id_token)
    t.advance(2000)
    const kept = await authorize(b, { extra: { max_age: '10000' } })
    expect(kept.loginPages).toBe(0)
    expect((await idTokenClaims((await codeTokens(kept.location)).id_token)).auth_time).toBe(first.auth_time)
    const fresh = await authorize(b, { extra: { max_age: '1' } })
    expect(fresh.loginPages).toBe(1)
    const claims = await idTokenClaims((await codeTokens(fresh.location)).id_token)
    expect(claims.auth_time as number).toBeGreaterThan(first.auth_time as number)
  })

  it('oidcc-id-token-hint: prompt=none with the ID token of the session', async () => {
    const b = browser()
    const first = await codeTokens((await authorize(b)).location)
    const again = await authorize(b, { extra: { prompt: 'none', id_token_hint: String(first.id_token) } })
    expect(again.location.searchParams.get('code')).not.toBeNull()
  })

  it('oidcc-login-hint: the username is filled in', async () => {
    const res = await browser().get(authorizeUrl({ extra: { login_hint: 'alice' } }).url)
    expect(await res.text()).toContain('name="username" value="alice"')
  })

  it('oidcc-ensure-request-with-acr-values-succeeds: a code, and the ID token says its acr', async () => {
    const body = await codeTokens((await authorize(browser(), { extra: { acr_values: '1 2' } })).location)
    const claims = await idTokenClaims(body.id_token)
    expect(claims.acr).toBe('urn:tokensmith:acr:password')
    expect(claims.amr).toEqual(['pwd'])
  })

  it('oidcc-codereuse and -30seconds: the second use is invalid_grant and its tokens stop working', async () => {
    for (const wait of [0, 30_000]) {
      const { location } = await authorize(browser())
      const body = await codeTokens(location)
      t.advance(wait)
      const code = location.searchParams.get('code') ?? ''
      const reuse = await token({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK })
      expect(reuse.res.status).toBe(400)
      expect(reuse.body.error).toBe('invalid_grant')
      expect(String(reuse.body.error_description)).toMatch(DESCRIPTION)
      expect((await userinfo(String(body.access_token))).res.status).toBe(401)
    }
  })

  it('oidcc-ensure-registered-redirect-uri: an unregistered one is an error page, never a redirect', async () => {
    const res = await browser().get(authorizeUrl({ redirectUri: `${SUITE}/not-registered` }).url)
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
  })

  it('oidcc-server-client-secret-post', async () => {
    const { location } = await authorize(browser(), { client: 'conformance-post' })
    const body = await codeTokens(location, CALLBACK, 'post')
    await idTokenClaims(body.id_token, 'conformance-post')
  })

  it('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported, oidcc-ensure-request-object-with-redirect-uri', async () => {
    const requestObject = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`
    const res = await browser().get(authorizeUrl({ extra: { request: requestObject } }).url)
    const location = new URL(res.headers.get('location') ?? '')
    expect(location.searchParams.get('error')).toBe('request_not_supported')
    const discovery = (await (await t.request('/.well-known/openid-configuration')).json()) as Record<
      string,
      unknown
    >
    expect(discovery.request_parameter_supported).toBe(false)
  })

  it('oidcc-claims-essential: a name asked for at userinfo with scope openid alone is returned', async () => {
    const claims = JSON.stringify({ userinfo: { name: { essential: true } } })
    const body = await codeTokens((await authorize(browser(), { extra: { claims } })).location)
    expect(body.scope).toBe('openid')
    const info = await userinfo(String(body.access_token))
    expect(info.body.name).toBe(PROFILE.name)
    expect(info.body.email).toBeUndefined()
    // Asked for the ID token instead, it is there.
    const inIdToken = JSON.stringify({ id_token: { email: null } })
    const second = await codeTokens((await authorize(browser(), { extra: { claims: inIdToken } })).location)
    expect((await idTokenClaims(second.id_token)).email).toBe(PROFILE.email)
    // Survives a refresh: the session remembers what userinfo may release.
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: String(body.refresh_token) })
    expect((await userinfo(String(refreshed.body.access_token))).body.name).toBe(PROFILE.name)
  })

  it('oidcc-refresh-token: offline_access, prompt=consent, then a refresh', async () => {
    const body = await codeTokens(
      (await authorize(browser(), { scope: 'openid offline_access', extra: { prompt: 'consent' } })).location,
    )
    expect(body.scope).toBe('openid offline_access')
    expect(body.refresh_token).toEqual(expect.any(String))
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: String(body.refresh_token) })
    expect(refreshed.res.status).toBe(200)
    expect(refreshed.body.access_token).toEqual(expect.any(String))
    expect((await userinfo(String(refreshed.body.access_token))).res.status).toBe(200)
  })

  it('oidcc-ensure-request-with-valid-pkce-succeeds, and a code_verifier without a challenge is refused', async () => {
    const { verifier, challenge } = pkcePair()
    const { location } = await authorize(browser(), {
      extra: { code_challenge: challenge, code_challenge_method: 'S256' },
    })
    const code = location.searchParams.get('code') ?? ''
    const ok = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    })
    expect(ok.res.status).toBe(200)
    // RFC 9700 §2.1.1: a verifier for a code issued without a challenge is a downgrade.
    const plain = await authorize(browser())
    const downgrade = await token({
      grant_type: 'authorization_code',
      code: plain.location.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    })
    expect(downgrade.body.error).toBe('invalid_grant')
  })

  it('oidcc-redirect-uri-query-OK, -mismatch, -added', async () => {
    const ok = await authorize(browser(), { redirectUri: CALLBACK_WITH_QUERY })
    expect(ok.location.searchParams.get('dummy1')).toBe('lorem')
    expect(ok.location.searchParams.get('dummy2')).toBe('ipsum')
    await codeTokens(ok.location, CALLBACK_WITH_QUERY)
    for (const uri of [`${CALLBACK}?dummy1=zot`, `${CALLBACK_WITH_QUERY}&dummy3=added`]) {
      const res = await browser().get(authorizeUrl({ redirectUri: uri }).url)
      expect(res.status, uri).toBe(400)
      expect(res.headers.get('location')).toBeNull()
    }
  })

  it('oidcc-ensure-post-request-succeeds: the authorization request as a form post', async () => {
    const b = browser()
    const { url } = authorizeUrl()
    const res = await b.post('/oauth/authorize', new URLSearchParams(url.split('?')[1]))
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('name="password"')
  })
})

describe('Config OP plan', () => {
  it('oidcc-discovery-endpoint-verification: the document, truthful and complete', async () => {
    const res = await t.request('/.well-known/openid-configuration')
    expect(res.status).toBe(200)
    const d = (await res.json()) as Record<string, unknown>
    expect(d.issuer).toBe(TEST_ISSUER_URL)
    for (const field of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
      'end_session_endpoint',
    ]) {
      expect(String(d[field]), field).toMatch(new RegExp(`^${TEST_ISSUER_URL}/`))
    }
    expect(d.response_types_supported).toContain('code')
    expect(d.subject_types_supported).toEqual(['public'])
    expect(d.id_token_signing_alg_values_supported).toContain('RS256')
    expect(d.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']),
    )
    // Scopes with no claims behind them are not offered.
    expect(d.scopes_supported).not.toContain('address')
    expect(d.scopes_supported).not.toContain('phone')
    expect(d.claims_supported).toEqual(
      expect.arrayContaining([
        'sub',
        'name',
        'given_name',
        'family_name',
        'email',
        'email_verified',
        'acr',
        'auth_time',
      ]),
    )
    expect(d.claims_parameter_supported).toBe(true)
    // The three classes of acr-values.ts, weakest first (docs/mfa.md).
    expect(d.acr_values_supported).toEqual([
      'urn:tokensmith:acr:password',
      'urn:tokensmith:acr:mfa',
      'urn:tokensmith:acr:phishing-resistant',
    ])
    expect(d.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'private_key_jwt']),
    )
    expect(d.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']))
    const jwks = (await (await t.request('/.well-known/jwks.json')).json()) as {
      keys: Record<string, unknown>[]
    }
    for (const key of jwks.keys) {
      expect(key.kid).toEqual(expect.any(String))
      expect(key.d).toBeUndefined()
    }
  })
})

describe('RP-Initiated Logout OP plan', () => {
  async function signedIn() {
    const b = browser()
    const body = await codeTokens((await authorize(b)).location)
    return { b, body }
  }
  const logoutUrl = (params: Record<string, string>) => `/oauth/logout?${new URLSearchParams(params)}`
  async function stillSignedIn(b: BrowserSession): Promise<boolean> {
    const res = await b.get(authorizeUrl({ extra: { prompt: 'none' } }).url)
    return new URL(res.headers.get('location') ?? '').searchParams.has('code')
  }

  it('oidcc-rp-initiated-logout: the hint of this session signs out at once, back with state', async () => {
    const { b, body } = await signedIn()
    const res = await b.get(
      logoutUrl({
        id_token_hint: String(body.id_token),
        post_logout_redirect_uri: POST_LOGOUT,
        state: 'bye',
      }),
    )
    expect(res.status).toBe(302)
    const location = new URL(res.headers.get('location') ?? '')
    expect(`${location.origin}${location.pathname}`).toBe(POST_LOGOUT)
    expect(location.searchParams.get('state')).toBe('bye')
    expect(await stillSignedIn(b)).toBe(false)
    // The session's tokens end with it.
    expect((await userinfo(String(body.access_token))).res.status).toBe(401)
  })

  it('oidcc-rp-initiated-logout-no-state: back without a state', async () => {
    const { b, body } = await signedIn()
    const res = await b.get(
      logoutUrl({ id_token_hint: String(body.id_token), post_logout_redirect_uri: POST_LOGOUT }),
    )
    expect(res.headers.get('location')).toBe(POST_LOGOUT)
  })

  it('oidcc-rp-initiated-logout-no-post-logout-redirect-uri: signed out, a page says so', async () => {
    const { b, body } = await signedIn()
    const res = await b.get(logoutUrl({ id_token_hint: String(body.id_token) }))
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('You are signed out.')
    expect(await stillSignedIn(b)).toBe(false)
  })

  it('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri and -query-added: an error page, no redirect', async () => {
    const { b, body } = await signedIn()
    for (const uri of [`${SUITE}/elsewhere`, `${POST_LOGOUT}?extra=1`]) {
      const res = await b.get(
        logoutUrl({ id_token_hint: String(body.id_token), post_logout_redirect_uri: uri }),
      )
      expect(res.status, uri).toBe(400)
      expect(res.headers.get('location')).toBeNull()
    }
    expect(await stillSignedIn(b)).toBe(true)
  })

  it('oidcc-rp-initiated-logout-modified-id-token-hint: an error page, still signed in', async () => {
    const { b, body } = await signedIn()
    const [h, p, s] = String(body.id_token).split('.')
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${s}`
    const res = await b.get(logoutUrl({ id_token_hint: forged, post_logout_redirect_uri: POST_LOGOUT }))
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    expect(await stillSignedIn(b)).toBe(true)
  })

  it('oidcc-rp-initiated-logout-no-id-token-hint: client_id and a registered URI, after the user confirms', async () => {
    const { b } = await signedIn()
    const res = await b.get(
      logoutUrl({ client_id: 'conformance', post_logout_redirect_uri: POST_LOGOUT, state: 's' }),
    )
    expect(res.status).toBe(200)
    const page = await res.text()
    expect(page).toContain('Sign out?')
    expect(await stillSignedIn(b)).toBe(true)
    const fields = hiddenFieldsOf(page)
    fields.set('confirm', 'yes')
    const done = await b.post('/oauth/logout', fields)
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe(`${POST_LOGOUT}?state=s`)
    expect(await stillSignedIn(b)).toBe(false)
  })

  it('oidcc-rp-initiated-logout-no-params and -only-state: the user is asked, nothing ends until then', async () => {
    const { b } = await signedIn()
    for (const params of [{}, { state: 'only' }] as Record<string, string>[]) {
      const res = await b.get(logoutUrl(params))
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('Sign out?')
      expect(res.headers.get('location')).toBeNull()
    }
    expect(await stillSignedIn(b)).toBe(true)
  })
})
