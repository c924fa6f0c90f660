// The authorization code flow end to end in process (app.request, SQLite, the test clock): the
// hosted login and consent pages, single sign-on, prompt and max_age, the code at the token
// endpoint with PKCE, replay, the ID token, userinfo and RP-initiated logout. Each test names
// the section of RFC 6749, RFC 7636 or OpenID Connect whose behaviour it proves.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { BAD_CREDENTIALS } from '../../core/login/create-login.ts'
import { USERS } from '../../core/users/user-collection.ts'
import { type BrowserSession, hiddenFieldsOf } from '../../testing/browser-session.ts'
import { basicAuth, OAUTH_USER } from '../../testing/oauth-test-issuer.ts'
import {
  createOidcTestIssuer,
  type OidcTestIssuer,
  PARTNER_LOGOUT_REDIRECT,
  PARTNER_REDIRECT,
  PORTAL_REDIRECT,
  SPA_REDIRECT,
} from '../../testing/oidc-test-issuer.ts'
import { serviceClient } from '../../testing/service-client.ts'
import { TEST_ISSUER_URL } from '../../testing/test-issuer.ts'

let t: OidcTestIssuer

beforeAll(async () => {
  t = await createOidcTestIssuer()
})
afterAll(async () => {
  expect(t.leakedSecrets()).toEqual([])
  expect(t.logs.filter((l) => l.includes(t.portalSecret))).toEqual([])
  await t.cleanup()
})

const spa = { clientId: 'spa', redirectUri: SPA_REDIRECT }
const partner = { clientId: 'partner', redirectUri: PARTNER_REDIRECT }

async function redeem(code: string, verifier: string | undefined, extra: Record<string, string> = {}) {
  const res = await t.form('/oauth/token', {
    grant_type: 'authorization_code',
    code,
    redirect_uri: SPA_REDIRECT,
    client_id: 'spa',
    ...(verifier === undefined ? {} : { code_verifier: verifier }),
    ...extra,
  })
  return { res, body: (await res.json()) as Record<string, string> }
}

function locationOf(res: Response): URL {
  const loc = res.headers.get('location')
  if (loc === null) throw new Error(`no redirect: ${res.status}`)
  return new URL(loc)
}

async function signedIn(): Promise<BrowserSession> {
  const b = t.browser()
  await t.codeFor(b, spa)
  return b
}

describe('the hosted login page (OpenID Connect Core §3.1.2.3)', () => {
  it('shows the form with labels, a hidden csrf field and the strict headers', async () => {
    const b = t.browser()
    const res = await b.get(t.authorizeUrl({ ...spa, state: 's1' }).url)
    expect(res.status).toBe(200)
    const page = await res.text()
    expect(page).toContain('<form method="post"')
    expect(page).toContain('<label for="username">Username</label>')
    expect(page).toContain('<label for="password">Password</label>')
    expect(page).toMatch(/<input type="hidden" name="csrf" value="[A-Za-z0-9_-]{43}">/)
    expect(page).toContain('<button type="submit">Sign in</button>')
    expect(page).toContain('name="viewport"')
    // No inline script or style: the one script is the issuer's own passkey button, by URL.
    expect(page).not.toMatch(/style=/)
    expect([...page.matchAll(/<script[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script src="/oauth/assets/passkey.js" defer>',
    ])
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toBe(
      "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self' http://127.0.0.1:8765; frame-ancestors 'none'; base-uri 'none'",
    )
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const csrfCookie = res.headers.getSetCookie().find((c) => c.startsWith('tokensmith_csrf='))
    expect(csrfCookie).toMatch(/HttpOnly/)
    expect(csrfCookie).toMatch(/SameSite=Strict/)
    expect(csrfCookie).toMatch(/Path=\/;/)
  })

  it('serves its stylesheet from the issuer', async () => {
    const res = await t.request('/oauth/assets/login.css')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/css/)
  })

  it('a wrong password re-renders the page with the /auth/login message, the username kept and focused', async () => {
    const b = t.browser()
    const page = await (await b.get(t.authorizeUrl(spa).url)).text()
    const fields = hiddenFieldsOf(page)
    fields.set('username', 'alice')
    fields.set('password', 'wrong')
    const res = await b.post('/oauth/authorize', fields)
    expect(res.status).toBe(200)
    const again = await res.text()
    expect(again).toContain(`<p role="alert" id="login-problem">${BAD_CREDENTIALS}</p>`)
    expect(again).toMatch(/name="username" value="alice"[^>]*aria-invalid="true"[^>]*autofocus/)
    expect(again).not.toContain('value="wrong"')
    // An unknown user gets the same words.
    fields.set('username', 'nobody')
    const unknown = await (
      await b.post('/oauth/authorize', hiddenFieldsOf(again).size ? fields : fields)
    ).text()
    expect(unknown).toContain(BAD_CREDENTIALS)
  })

  it('login_hint prefills the username (OpenID Connect Core §3.1.2.1)', async () => {
    const page = await (
      await t.browser().get(t.authorizeUrl({ ...spa, extra: { login_hint: 'al"ice' } }).url)
    ).text()
    expect(page).toContain('name="username" value="al&quot;ice"')
  })

  it('every value on the page is escaped (the client name holds markup)', async () => {
    const b = t.browser()
    const { url } = t.authorizeUrl({ ...partner, state: '"><script>x</script>' })
    const page = await (await b.get(url)).text()
    expect(page).toContain('Partner &lt;App&gt; &amp; Co')
    expect(page).not.toContain('<script>')
  })

  it('a form post without the csrf field, or with a wrong one, is a 403 page', async () => {
    const b = t.browser()
    const page = await (await b.get(t.authorizeUrl(spa).url)).text()
    const fields = hiddenFieldsOf(page)
    fields.set('username', 'alice')
    fields.set('password', OAUTH_USER.password)
    const forged = new URLSearchParams(fields)
    forged.delete('csrf')
    const res = await b.post('/oauth/authorize', forged)
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('role="alert"')
    forged.set('csrf', 'A'.repeat(43))
    expect((await b.post('/oauth/authorize', forged)).status).toBe(403)
    // The right field from another browser's cookie does not help.
    expect((await t.browser().post('/oauth/authorize', fields)).status).toBe(403)
  })
})

describe('authorization errors (RFC 6749 §4.1.2.1)', () => {
  it('an unknown client_id is an error page, never a redirect', async () => {
    const res = await t.browser().get(t.authorizeUrl({ clientId: 'nobody', redirectUri: SPA_REDIRECT }).url)
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
    const page = await res.text()
    expect(page).toContain('<h1>Sign-in request refused</h1>')
    expect(page).toContain('role="alert"')
  })

  it('an unregistered redirect_uri is an error page (RFC 9700 §4.1: exact match)', async () => {
    for (const redirectUri of ['https://evil.example/cb', `${SPA_REDIRECT}/x`, `${PARTNER_REDIRECT}?x=1`]) {
      const res = await t.browser().get(t.authorizeUrl({ ...spa, redirectUri }).url)
      expect(res.status).toBe(400)
      expect(res.headers.get('location')).toBeNull()
    }
  })

  it('RFC 8252 §7.3: a loopback redirect_uri on another port is accepted', async () => {
    const res = await t
      .browser()
      .get(t.authorizeUrl({ ...spa, redirectUri: 'http://127.0.0.1:1234/callback' }).url)
    expect(res.status).toBe(200)
  })

  it.each([
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ code_challenge_method: 'plain' }, 'invalid_request'],
    [{ code_challenge: '' }, 'invalid_request'],
    [{ scope: 'openid admin' }, 'invalid_scope'],
    [{ prompt: 'none login' }, 'invalid_request'],
    [{ max_age: '-1' }, 'invalid_request'],
    [{ request: 'eyJ' }, 'request_not_supported'],
  ])('%o redirects back with error=%s, the state and iss (RFC 9207 §2)', async (extra, error) => {
    const res = await t.browser().get(t.authorizeUrl({ ...spa, state: 'st', extra }).url)
    expect(res.status).toBe(302)
    const loc = locationOf(res)
    expect(loc.origin + loc.pathname).toBe(SPA_REDIRECT)
    expect(loc.searchParams.get('error')).toBe(error)
    expect(loc.searchParams.get('error_description')).toBeTruthy()
    expect(loc.searchParams.get('state')).toBe('st')
    expect(loc.searchParams.get('iss')).toBe(TEST_ISSUER_URL)
  })

  it('RFC 7636 §4.4.1: a challenge without a method (plain by default) is refused', async () => {
    const { url } = t.authorizeUrl({ ...spa, state: 'st' })
    const res = await t.browser().get(url.replace('&code_challenge_method=S256', ''))
    expect(locationOf(res).searchParams.get('error')).toBe('invalid_request')
  })

  it('RFC 6749 §3.1: a repeated parameter is invalid_request; a repeated client_id an error page', async () => {
    const { url } = t.authorizeUrl({ ...spa, state: 'st' })
    const repeated = await t.browser().get(`${url}&scope=openid`)
    expect(locationOf(repeated).searchParams.get('error')).toBe('invalid_request')
    const twoClients = await t.browser().get(`${url}&client_id=partner`)
    expect(twoClients.status).toBe(400)
    expect(twoClients.headers.get('location')).toBeNull()
  })

  it('an oversized parameter is invalid_request', async () => {
    const res = await t.browser().get(t.authorizeUrl({ ...spa, nonce: 'n'.repeat(5000) }).url)
    expect(locationOf(res).searchParams.get('error')).toBe('invalid_request')
  })
})

describe('the code at the token endpoint (RFC 6749 §4.1.3, RFC 7636 §4.5)', () => {
  it('answers tokens and an ID token that verifies against the JWKS (OpenID Connect Core §3.1.3.3)', async () => {
    const b = t.browser()
    const { code, verifier, location } = await t.codeFor(b, {
      ...spa,
      scope: 'openid profile roles',
      state: 'x',
      nonce: 'n-1',
    })
    expect(location.searchParams.get('state')).toBe('x')
    expect(location.searchParams.get('iss')).toBe(TEST_ISSUER_URL)
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const { res, body } = await redeem(code, verifier)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile roles' })
    expect(body.refresh_token).toMatch(/^rt_/)
    const jwks = (await (await t.request('/.well-known/jwks.json')).json()) as { keys: [] }
    const { payload, protectedHeader } = await jwtVerify(body.id_token ?? '', createLocalJWKSet(jwks), {
      issuer: TEST_ISSUER_URL,
      audience: 'spa',
      currentDate: new Date(t.now.ms),
      typ: 'JWT',
      algorithms: ['RS256'],
    })
    expect(protectedHeader.alg).toBe('RS256')
    expect(payload).toMatchObject({ nonce: 'n-1', auth_time: Math.floor(t.now.ms / 1000) })
    expect(payload.exp).toBe((payload.iat ?? 0) + Number(body.expires_in))
    expect(typeof payload.sid).toBe('string')
    expect(payload.azp).toBeUndefined()
    const { createHash } = await import('node:crypto')
    const half = createHash('sha256')
      .update(body.access_token ?? '')
      .digest()
      .subarray(0, 16)
    expect(payload.at_hash).toBe(half.toString('base64url'))

    // The refresh token rotates as any other (RFC 6749 §6).
    const refreshed = await t.form('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token ?? '',
      client_id: 'spa',
    })
    expect(refreshed.status).toBe(200)

    // OpenID Connect Core §5.3: userinfo with the access token.
    const info = await t.request('/oauth/userinfo', {
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    expect(info.status).toBe(200)
    expect(info.headers.get('cache-control')).toBe('no-store')
    // A user with no name or e-mail set: only what the profile has (OpenID Connect Core §5.3.2).
    expect(await info.json()).toEqual({
      sub: payload.sub,
      preferred_username: 'alice',
      updated_at: expect.any(Number),
      roles: ['user'],
    })
    const posted = await t.request('/oauth/userinfo', {
      method: 'POST',
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    expect(posted.status).toBe(200)
  })

  it('without openid there is no ID token, and userinfo refuses the token (insufficient_scope)', async () => {
    const { code, verifier } = await t.codeFor(t.browser(), { ...spa, scope: 'orders:read' })
    const { body } = await redeem(code, verifier)
    expect(body.id_token).toBeUndefined()
    const info = await t.request('/oauth/userinfo', {
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    expect(info.status).toBe(403)
    expect(info.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/)
  })

  it('userinfo without a token: 401 with the bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const res = await t.request('/oauth/userinfo')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="tokensmith"')
    const bad = await t.request('/oauth/userinfo', { headers: { authorization: 'Bearer abc.def.ghi' } })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_token')
  })

  it('RFC 7636 §4.6: a missing, plain or wrong code_verifier is invalid_grant', async () => {
    const { code, verifier } = await t.codeFor(t.browser(), spa)
    const { challenge } = t.authorizeUrl(spa)
    // One character off: the last one changed (to another letter whatever it was).
    const oneOff = `${verifier.slice(0, -1)}${verifier.endsWith('A') ? 'B' : 'A'}`
    for (const wrong of [undefined, challenge, oneOff, 'short']) {
      const { res, body } = await redeem(code, wrong)
      expect(res.status).toBe(400)
      expect(body.error).toBe('invalid_grant')
    }
    // Still good for the right verifier: a wrong guess does not burn the code.
    expect((await redeem(code, verifier)).res.status).toBe(200)
  })

  it('RFC 6749 §4.1.2: a code presented twice is invalid_grant and the tokens of the first are revoked', async () => {
    const { code, verifier } = await t.codeFor(t.browser(), spa)
    const first = await redeem(code, verifier)
    expect(first.res.status).toBe(200)
    const second = await redeem(code, verifier)
    expect(second.body.error).toBe('invalid_grant')
    const refresh = await t.form('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token ?? '',
      client_id: 'spa',
    })
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant')
    const info = await t.request('/oauth/userinfo', {
      headers: { authorization: `Bearer ${first.body.access_token}` },
    })
    expect(info.status).toBe(401)
    expect(t.logs.some((l) => l.includes('authorization_code_replay'))).toBe(true)
  })

  it('RFC 6749 §4.1.3: a code for another client or another redirect_uri is invalid_grant', async () => {
    const { code, verifier } = await t.codeFor(t.browser(), spa)
    const other = await t.form('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: SPA_REDIRECT,
      code_verifier: verifier,
      client_id: 'partner',
    })
    expect(((await other.json()) as { error: string }).error).toBe('invalid_grant')
    const otherUri = await redeem(code, verifier, { redirect_uri: 'http://127.0.0.1:9999/callback' })
    expect(otherUri.body.error).toBe('invalid_grant')
    const noUri = await t.form('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: 'spa',
    })
    expect(((await noUri.json()) as { error: string }).error).toBe('invalid_grant')
  })

  it('RFC 6749 §4.1.2: a code older than 60 s is invalid_grant', async () => {
    const { code, verifier } = await t.codeFor(t.browser(), spa)
    t.advance(61_000)
    expect((await redeem(code, verifier)).body.error).toBe('invalid_grant')
  })

  it('RFC 6749 §2.3.1: a confidential client redeems with its secret, and not without', async () => {
    const { code, verifier } = await t.codeFor(t.browser(), {
      clientId: 'portal',
      redirectUri: PORTAL_REDIRECT,
    })
    const params = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: PORTAL_REDIRECT,
      code_verifier: verifier,
    }
    const anonymous = await t.form('/oauth/token', { ...params, client_id: 'portal' })
    expect(anonymous.status).toBe(401)
    const res = await t.form('/oauth/token', params, { authorization: basicAuth('portal', t.portalSecret) })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { id_token?: string }).id_token).toBeTruthy()
  })

  it('a user disabled after the code was issued: invalid_grant', async () => {
    const id = await t.addUser('bob', 'bob password long enough')
    const bob = { username: 'bob', password: 'bob password long enough' }
    const { code, verifier } = await t.codeFor(t.browser(), spa, bob)
    await t.store.records.update(USERS, { id: id }, { disabled: true, updatedAt: t.now.ms })
    expect((await redeem(code, verifier)).body.error).toBe('invalid_grant')
  })
})

describe('the login session: single sign-on, prompt and max_age (OpenID Connect Core §3.1.2.1)', () => {
  it('sets an httpOnly SameSite=Lax cookie on / (the account pages read it too); a second authorization skips the form', async () => {
    const b = t.browser()
    const { url } = t.authorizeUrl(spa)
    const fields = hiddenFieldsOf(await (await b.get(url)).text())
    fields.set('username', 'alice')
    fields.set('password', OAUTH_USER.password)
    const res = await b.post('/oauth/authorize', fields)
    expect(res.status).toBe(303)
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tokensmith_login=')) ?? ''
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).toMatch(/Path=\/;/)
    const again = await b.get(t.authorizeUrl(spa).url)
    expect(again.status).toBe(302)
    expect(locationOf(again).searchParams.get('code')).toBeTruthy()
  })

  it('prompt=none without a login session: login_required', async () => {
    const res = await t.browser().get(t.authorizeUrl({ ...spa, state: 'q', extra: { prompt: 'none' } }).url)
    expect(locationOf(res).searchParams.get('error')).toBe('login_required')
    expect(locationOf(res).searchParams.get('state')).toBe('q')
  })

  it('prompt=none with a login session answers the code at once', async () => {
    const b = await signedIn()
    const res = await b.get(t.authorizeUrl({ ...spa, extra: { prompt: 'none' } }).url)
    expect(locationOf(res).searchParams.get('code')).toBeTruthy()
  })

  it('max_age=0 and prompt=login force the form; signing in there answers a code with a new auth_time', async () => {
    const b = await signedIn()
    for (const extra of [{ max_age: '0' }, { prompt: 'login' }] as Record<string, string>[]) {
      t.advance(5000)
      const res = await b.get(t.authorizeUrl({ ...spa, extra }).url)
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('name="password"')
    }
    const { code, verifier } = await t.codeFor(b, { ...spa, extra: { max_age: '0' } })
    const { body } = await redeem(code, verifier)
    expect(decodeJwt(body.id_token ?? '').auth_time).toBe(Math.floor(t.now.ms / 1000))
  })

  it('max_age longer than the login session has lived skips the form', async () => {
    const b = await signedIn()
    t.advance(10_000)
    const res = await b.get(t.authorizeUrl({ ...spa, extra: { max_age: '3600' } }).url)
    expect(res.status).toBe(302)
  })

  it('the login session ends after LOGIN_SESSION_IDLE_TTL without use', async () => {
    const b = await signedIn()
    t.advance(3601_000)
    const res = await b.get(t.authorizeUrl({ ...spa, extra: { prompt: 'none' } }).url)
    expect(locationOf(res).searchParams.get('error')).toBe('login_required')
  })
})

describe('consent (OpenID Connect Core §3.1.2.4)', () => {
  it('a third-party client shows the consent page; Deny answers access_denied', async () => {
    const b = await signedIn()
    const res = await b.get(t.authorizeUrl({ ...partner, scope: 'openid profile', state: 'c' }).url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain(
      "form-action 'self' https://partner.example;",
    )
    const page = await res.text()
    expect(page).toContain('<h1>Partner &lt;App&gt; &amp; Co wants to access your account</h1>')
    expect(page).toMatch(/<li>[^<]*\(openid\)<\/li>/)
    expect(page).toMatch(/<li>[^<]*\(profile\)<\/li>/)
    expect(page).toContain('<button type="submit" name="decision" value="allow">Allow</button>')
    expect(page).toContain('<button type="submit" name="decision" value="deny">Deny</button>')
    const fields = hiddenFieldsOf(page)
    fields.set('decision', 'deny')
    const denied = await b.post('/oauth/authorize', fields)
    expect(locationOf(denied).searchParams.get('error')).toBe('access_denied')
    expect(locationOf(denied).searchParams.get('state')).toBe('c')
  })

  it('prompt=none without consent: consent_required', async () => {
    const b = await signedIn()
    const res = await b.get(t.authorizeUrl({ ...partner, extra: { prompt: 'none' } }).url)
    expect(locationOf(res).searchParams.get('error')).toBe('consent_required')
  })

  it('Allow is remembered per user and client; a wider scope asks again; /auth/consents lists and revokes it', async () => {
    const b = t.browser()
    await t.codeFor(b, { ...partner, scope: 'openid' })
    const remembered = await b.get(t.authorizeUrl({ ...partner, scope: 'openid' }).url)
    expect(remembered.status).toBe(302)
    expect(locationOf(remembered).searchParams.get('code')).toBeTruthy()
    const wider = await b.get(t.authorizeUrl({ ...partner, scope: 'openid profile' }).url)
    expect(wider.status).toBe(200)
    expect(await wider.text()).toContain('value="allow"')
    const forced = await b.get(
      t.authorizeUrl({ ...partner, scope: 'openid', extra: { prompt: 'consent' } }).url,
    )
    expect(forced.status).toBe(200)

    const { accessToken } = await t.userTokens()
    const account = await t.form('/oauth/token', { grant_type: 'password', ...OAUTH_USER, scope: 'account' })
    const token = ((await account.json()) as { access_token: string }).access_token
    expect(accessToken).toBeTruthy()
    const list = await t.request('/auth/consents', { headers: { authorization: `Bearer ${token}` } })
    expect(list.status).toBe(200)
    const consents = ((await list.json()) as { consents: { clientId: string; scope: string[] }[] }).consents
    expect(consents).toContainEqual(expect.objectContaining({ clientId: 'partner', scope: ['openid'] }))
    const del = await t.request('/auth/consents/partner', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(del.status).toBe(200)
    expect(
      (
        await t.request('/auth/consents/partner', {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(404)
    const afterRevoke = await b.get(t.authorizeUrl({ ...partner, scope: 'openid' }).url)
    expect(afterRevoke.status).toBe(200)
    // Without the account scope: refused.
    expect(
      (await t.request('/auth/consents', { headers: { authorization: `Bearer ${accessToken}` } })).status,
    ).toBe(403)
  })

  it('allowing a wider scope later adds it to what the user allowed before', async () => {
    const b = t.browser()
    await t.codeFor(b, { ...partner, scope: 'openid' })
    await t.codeFor(b, { ...partner, scope: 'openid profile' })
    const account = await t.form('/oauth/token', { grant_type: 'password', ...OAUTH_USER, scope: 'account' })
    const token = ((await account.json()) as { access_token: string }).access_token
    const list = await t.request('/auth/consents', { headers: { authorization: `Bearer ${token}` } })
    const consents = ((await list.json()) as { consents: { clientId: string; scope: string[] }[] }).consents
    expect(consents).toContainEqual(
      expect.objectContaining({ clientId: 'partner', scope: ['openid', 'profile'] }),
    )
    // Now covered: no page.
    expect((await b.get(t.authorizeUrl({ ...partner, scope: 'profile openid' }).url)).status).toBe(302)
  })

  it('a first-party client never shows the consent page', async () => {
    const b = await signedIn()
    expect((await b.get(t.authorizeUrl({ ...spa, extra: { prompt: 'consent' } }).url)).status).toBe(302)
  })
})

describe('RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2)', () => {
  it('with id_token_hint: ends the login session and its sessions, redirects to the registered URI with state', async () => {
    const b = t.browser()
    const { code, verifier } = await t.codeFor(b, { ...partner, scope: 'openid' })
    const tokens = (await (
      await t.form('/oauth/token', {
        grant_type: 'authorization_code',
        code,
        redirect_uri: PARTNER_REDIRECT,
        code_verifier: verifier,
        client_id: 'partner',
      })
    ).json()) as Record<string, string>
    t.advance(3600_000) // the hint may have expired
    const q = new URLSearchParams({
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: PARTNER_LOGOUT_REDIRECT,
      state: 'bye',
    })
    const res = await b.get(`/oauth/logout?${q}`)
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(`${PARTNER_LOGOUT_REDIRECT}?state=bye`)
    expect(res.headers.getSetCookie().some((c) => /^tokensmith_login=;/.test(c))).toBe(true)
    const refresh = await t.form('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
      client_id: 'partner',
    })
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant')
  })

  it('an unregistered post_logout_redirect_uri, or one without a hint, is an error page', async () => {
    const b = await signedIn()
    const res = await b.get(
      `/oauth/logout?post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`,
    )
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
  })

  it("another user's id_token_hint cannot sign this browser out: the confirmation page instead", async () => {
    await t.addUser('carol', 'carol password long enough')
    const carol = { username: 'carol', password: 'carol password long enough' }
    const { code, verifier } = await t.codeFor(t.browser(), spa, carol)
    const carolIdToken = (await redeem(code, verifier)).body.id_token ?? ''
    const alice = await signedIn()
    const res = await alice.get(`/oauth/logout?id_token_hint=${carolIdToken}`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('value="yes"')
    expect(alice.cookies.has('tokensmith_login')).toBe(true)
    const still = await alice.get(t.authorizeUrl({ ...spa, extra: { prompt: 'none' } }).url)
    expect(locationOf(still).searchParams.get('code')).toBeTruthy()
  })

  it('without a hint the user confirms on a page (csrf checked), then is signed out', async () => {
    const b = await signedIn()
    const res = await b.get('/oauth/logout')
    expect(res.status).toBe(200)
    const page = await res.text()
    expect(page).toContain('value="yes"')
    const fields = hiddenFieldsOf(page)
    const forged = new URLSearchParams({ confirm: 'yes' })
    expect((await b.post('/oauth/logout', forged)).status).toBe(403)
    fields.set('confirm', 'yes')
    const done = await b.post('/oauth/logout', fields)
    expect(done.status).toBe(200)
    expect(await done.text()).toContain('Signed out')
    const after = await b.get(t.authorizeUrl({ ...spa, extra: { prompt: 'none' } }).url)
    expect(locationOf(after).searchParams.get('error')).toBe('login_required')
  })
})

describe('discovery', () => {
  it('OpenID Connect Discovery 1.0 §3: /.well-known/openid-configuration', async () => {
    const res = await t.request('/.well-known/openid-configuration')
    expect(res.status).toBe(200)
    const meta = (await res.json()) as Record<string, unknown>
    expect(meta).toMatchObject({
      issuer: TEST_ISSUER_URL,
      authorization_endpoint: `${TEST_ISSUER_URL}/oauth/authorize`,
      token_endpoint: `${TEST_ISSUER_URL}/oauth/token`,
      userinfo_endpoint: `${TEST_ISSUER_URL}/oauth/userinfo`,
      end_session_endpoint: `${TEST_ISSUER_URL}/oauth/logout`,
      jwks_uri: `${TEST_ISSUER_URL}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      authorization_response_iss_parameter_supported: true,
    })
    expect(meta.grant_types_supported).toContain('authorization_code')
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'roles']))
    expect(meta.claims_supported).toEqual(
      expect.arrayContaining(['sub', 'auth_time', 'nonce', 'sid', 'at_hash']),
    )
    const rfc8414 = (await (await t.request('/.well-known/oauth-authorization-server')).json()) as Record<
      string,
      unknown
    >
    expect(rfc8414.authorization_endpoint).toBe(`${TEST_ISSUER_URL}/oauth/authorize`)
    expect(rfc8414.code_challenge_methods_supported).toEqual(['S256'])
  })

  it('the ID token header is RS256 with the kid of the JWKS', async () => {
    const { code, verifier } = await t.codeFor(t.browser(), spa)
    const { body } = await redeem(code, verifier)
    const header = decodeProtectedHeader(body.id_token ?? '')
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' })
  })
})

describe('the login page shares /auth/login limits (the same limiter, counters in the store)', () => {
  it('failures on the page and on /auth/login count together; over the limit: 429 and the limiter message', async () => {
    const s = await createOidcTestIssuer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' })
    try {
      const b = s.browser()
      const fields = hiddenFieldsOf(await (await b.get(s.authorizeUrl(spa).url)).text())
      fields.set('username', 'alice')
      fields.set('password', 'wrong')
      expect((await b.post('/oauth/authorize', fields)).status).toBe(200)
      const api = await s.request('/auth/login', {
        method: 'POST',
        json: { username: 'alice', password: 'wrong' },
      })
      expect(((await api.json()) as { error: string }).error).toBe(BAD_CREDENTIALS)
      expect((await b.post('/oauth/authorize', fields)).status).toBe(200)
      fields.set('password', OAUTH_USER.password)
      const locked = await b.post('/oauth/authorize', fields)
      expect(locked.status).toBe(429)
      expect(locked.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(await locked.text()).toContain(
        '<p role="alert" id="login-problem">Too many failed login attempts. Try again later.</p>',
      )
    } finally {
      await s.cleanup()
    }
  })
})

describe('the token answer of the code grant (RFC 6749 §4.1.4)', () => {
  it('carries a refresh token only for a client that has the refresh_token grant', async () => {
    const redirectUri = 'http://127.0.0.1/cli-callback'
    await t.store.records.insert(
      CLIENTS,
      serviceClient('cli-no-refresh', t.now.ms, {
        type: 'public',
        name: 'CLI',
        firstParty: true,
        grants: ['authorization_code'],
        scopes: ['openid'],
        redirectUris: [redirectUri],
      }),
    )
    const start = {
      clientId: 'cli-no-refresh',
      redirectUri: 'http://127.0.0.1:54321/cli-callback',
      scope: 'openid',
    }
    const { code, verifier } = await t.codeFor(t.browser(), start)
    const res = await t.form('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: start.redirectUri,
      client_id: start.clientId,
      code_verifier: verifier,
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    expect(typeof body.access_token).toBe('string')
    expect(typeof body.id_token).toBe('string')
    expect(body).not.toHaveProperty('refresh_token')
    // The spa client has the grant, and gets one.
    const other = await t.codeFor(t.browser(), spa)
    expect((await redeem(other.code, other.verifier)).body.refresh_token).toMatch(/^rt_/)
  })
})
