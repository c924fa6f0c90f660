import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { findUserByUsername } from '../core/users/find-user-by-username.ts'
import { USERS } from '../core/users/user-collection.ts'
import { createTestIssuer, TEST_ISSUER_URL, type TestIssuer } from '../testing/test-issuer.ts'

let t: TestIssuer
const PASSWORD = 'correct horse battery staple'

beforeEach(async () => {
  t = await createTestIssuer()
})
afterEach(async () => {
  await t.cleanup()
})

interface Pair {
  accessToken: string
  refreshToken: string
  expiresIn: number
  tokenType: string
}

async function login(
  username = 'alice',
  password = PASSWORD,
  ip = '203.0.113.7',
  scope?: string,
): Promise<Response> {
  return t.request('/auth/login', {
    method: 'POST',
    json: scope === undefined ? { username, password } : { username, password, scope },
    headers: { 'x-forwarded-for': ip, 'user-agent': 'vitest' },
  })
}

/** `scope: 'account'` for the account endpoints (they take no other token). */
async function loginPair(scope?: string): Promise<Pair> {
  const res = await login('alice', PASSWORD, '203.0.113.7', scope)
  expect(res.status).toBe(200)
  return (await res.json()) as Pair
}

function refresh(refreshToken: unknown): Promise<Response> {
  return t.request('/auth/refresh', { method: 'POST', json: { refreshToken } })
}

async function expectError(
  res: Response,
  status: number,
  code: string,
): Promise<{ code: string; error: string }> {
  const body = (await res.json()) as { code: string; error: string }
  expect({ status: res.status, code: body.code }).toEqual({ status, code })
  expect(typeof body.error).toBe('string')
  expect(Object.keys(body).sort()).toEqual(['code', 'error'])
  return body
}

describe('POST /auth/login', () => {
  beforeEach(async () => {
    await t.addUser('alice', PASSWORD, ['user', 'admin'])
  })

  it('returns a token pair, not cacheable, with an RFC 9068 access token', async () => {
    const res = await login('Alice')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const pair = (await res.json()) as Pair
    expect(Object.keys(pair).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType'])
    expect(pair.tokenType).toBe('Bearer')
    expect(pair.expiresIn).toBe(900)
    expect(pair.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/)

    const jwks = (await (await t.request('/.well-known/jwks.json')).json()) as JSONWebKeySet
    const header = decodeProtectedHeader(pair.accessToken)
    expect(header).toEqual({ alg: 'RS256', kid: t.keyRing.signingKey(t.now.ms).kid, typ: 'at+jwt' })
    const { payload } = await jwtVerify(pair.accessToken, createLocalJWKSet(jwks), {
      issuer: TEST_ISSUER_URL,
      audience: 'api',
      typ: 'at+jwt',
      algorithms: ['RS256'],
      currentDate: new Date(t.now.ms),
    })
    expect(Object.keys(payload).sort()).toEqual([
      'acr',
      'amr',
      'aud',
      'auth_time',
      'client_id',
      'exp',
      'iat',
      'iss',
      'jti',
      'roles',
      'scope',
      'sid',
      'sub',
    ])
    // RFC 9068 §2.2.3: the granted scope; a login that asks for none is granted none.
    expect(payload).toMatchObject({ client_id: 'default', roles: ['user', 'admin'], scope: '' })
    // RFC 9068 §2.2.1: how and when the user authenticated, here with a password, just now.
    expect(payload).toMatchObject({
      acr: 'urn:tokensmith:acr:password',
      amr: ['pwd'],
      auth_time: Math.floor(t.now.ms / 1000),
    })
    expect(payload.exp! - payload.iat!).toBe(900)
  })

  it('answers a wrong password and an unknown user byte-identically', async () => {
    const wrong = await login('alice', 'nope')
    const unknown = await login('mallory', 'nope')
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(await wrong.text()).toBe(await unknown.text())
  })

  it('rejects bad bodies with a clear code and status', async () => {
    const post = (body: string, type = 'application/json') =>
      t.request('/auth/login', { method: 'POST', body, headers: { 'content-type': type } })
    await expectError(
      await post('{"username":"alice","password":"x"}', 'text/plain'),
      415,
      'unsupported_media_type',
    )
    await expectError(await post('{"username":'), 400, 'invalid_request')
    await expectError(await post('[1,2]'), 400, 'invalid_request')
    await expectError(await post('null'), 400, 'invalid_request')
    await expectError(await post('{"password":"x"}'), 400, 'invalid_request')
    await expectError(await post('{"username":"alice","password":42}'), 400, 'invalid_request')
    await expectError(await post('{"username":"alice","password":""}'), 400, 'invalid_request')
    await expectError(
      await post(`{"username":"alice","password":"${'x'.repeat(9000)}"}`),
      413,
      'payload_too_large',
    )
    await expectError(
      await post('{"username":"alice","password":"x","__proto__":{"admin":true}}'),
      400,
      'invalid_request',
    )
    await expectError(
      await post('{"username":"alice","password":"x","constructor":{}}'),
      400,
      'invalid_request',
    )
    const long = await post(JSON.stringify({ username: 'alice', password: 'é'.repeat(600) }))
    const body = await expectError(long, 400, 'invalid_request')
    expect(body.error).toMatch(/at most 1024 bytes/)
    await expectError(
      await t.request('/auth/login', {
        method: 'POST',
        json: { username: 'alice', password: PASSWORD, clientId: 'x' },
      }),
      400,
      'invalid_request',
    )
  })

  it('refuses a disabled user only after a correct password', async () => {
    const id = await t.addUser('bob', PASSWORD)
    await t.store.records.update(USERS, { id: id }, { disabled: true, updatedAt: t.now.ms })
    await expectError(await login('bob', 'wrong'), 401, 'invalid_credentials')
    await expectError(await login('bob'), 403, 'user_disabled')
  })

  it('locks an account after repeated failures, identically for unknown accounts, then lets it in again', async () => {
    for (let i = 0; i < 5; i++) await expectError(await login('alice', 'bad'), 401, 'invalid_credentials')
    for (let i = 0; i < 5; i++) await login('ghost', 'bad')
    const locked = await login('alice')
    const lockedUnknown = await login('ghost', 'bad')
    expect(locked.status).toBe(429)
    expect(locked.headers.get('retry-after')).toBe('900')
    expect(lockedUnknown.headers.get('retry-after')).toBe('900')
    expect(await locked.text()).toBe(await lockedUnknown.text())
    expect(t.logs.some((l) => l.includes('"login_lockout"') && l.includes('"security":true'))).toBe(true)
    t.advance(15 * 60_000)
    expect((await login('alice')).status).toBe(200)
  })

  it('limits failures per client address across accounts', async () => {
    const limited = await createTestIssuer({ LOGIN_MAX_FAILURES_PER_ADDRESS: '3' })
    try {
      const attempt = (user: string, ip: string) =>
        limited.request('/auth/login', {
          method: 'POST',
          json: { username: user, password: 'spray' },
          headers: { 'x-forwarded-for': ip },
        })
      for (const user of ['u1', 'u2', 'u3']) expect((await attempt(user, '198.51.100.9')).status).toBe(401)
      const res = await attempt('u4', '198.51.100.9')
      await expectError(res, 429, 'rate_limited')
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      expect((await attempt('u4', '198.51.100.10')).status).toBe(401)
    } finally {
      await limited.cleanup()
    }
  })
})

describe('POST /auth/refresh', () => {
  beforeEach(async () => {
    await t.addUser('alice', PASSWORD)
  })

  it('rotates: a new pair in the same session, the old token consumed', async () => {
    const first = await loginPair()
    t.advance(1000)
    const res = await refresh(first.refreshToken)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const second = (await res.json()) as Pair
    expect(second.refreshToken).not.toBe(first.refreshToken)
    const sid = (tok: string) => JSON.parse(Buffer.from(tok.split('.')[1]!, 'base64url').toString()).sid
    expect(sid(second.accessToken)).toBe(sid(first.accessToken))
    const third = await refresh(second.refreshToken)
    expect(third.status).toBe(200)
  })

  it('hands back the same successor to a retry within the grace window', async () => {
    const first = await loginPair()
    const a = (await (await refresh(first.refreshToken)).json()) as Pair
    t.advance(9_000)
    const b = (await (await refresh(first.refreshToken)).json()) as Pair
    expect(b.refreshToken).toBe(a.refreshToken)
    expect((await refresh(a.refreshToken)).status).toBe(200)
  })

  it('detects reuse after the grace window and kills the whole family, newest token included', async () => {
    const first = await loginPair()
    const second = (await (await refresh(first.refreshToken)).json()) as Pair
    t.advance(10_001)
    await expectError(await refresh(first.refreshToken), 401, 'reuse_detected')
    await expectError(await refresh(second.refreshToken), 401, 'invalid_token')
    expect(t.logs.some((l) => l.includes('"refresh_reuse_detected"') && l.includes('"security":true'))).toBe(
      true,
    )
  })

  it('treats a replay of an older generation inside the window as reuse', async () => {
    const first = await loginPair()
    const second = (await (await refresh(first.refreshToken)).json()) as Pair
    await refresh(second.refreshToken)
    await expectError(await refresh(first.refreshToken), 401, 'reuse_detected')
  })

  it('refuses unknown, malformed and missing tokens', async () => {
    await expectError(await refresh(`rt_${'A'.repeat(43)}`), 401, 'invalid_token')
    await expectError(await refresh('not-a-token'), 401, 'invalid_token')
    await expectError(await refresh(12), 400, 'invalid_request')
    await expectError(await t.request('/auth/refresh', { method: 'POST', json: {} }), 400, 'invalid_request')
  })

  it('expires a token after the idle lifetime and a session after the absolute lifetime', async () => {
    const idle = await loginPair()
    t.advance(7 * 86400_000 + 1)
    await expectError(await refresh(idle.refreshToken), 401, 'invalid_token')

    let pair = await loginPair()
    for (let day = 0; day < 30; day += 6) {
      t.advance(6 * 86400_000)
      const res = await refresh(pair.refreshToken)
      if (day + 6 < 30) {
        expect(res.status).toBe(200)
        pair = (await res.json()) as Pair
      } else {
        await expectError(res, 401, 'invalid_token')
      }
    }
  })

  it('ends the session of a user disabled since login', async () => {
    const pair = await loginPair()
    const user = await findUserByUsername(t.store.records, 'alice')
    await t.store.records.update(USERS, { id: user!.id }, { disabled: true, updatedAt: t.now.ms })
    await expectError(await refresh(pair.refreshToken), 401, 'invalid_token')
  })
})

describe('logout and sessions', () => {
  beforeEach(async () => {
    await t.addUser('alice', PASSWORD)
  })
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  it('logout revokes the session; replaying logout or the token does nothing more', async () => {
    const pair = await loginPair()
    const res = await t.request('/auth/logout', { method: 'POST', json: { refreshToken: pair.refreshToken } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true })
    await expectError(await refresh(pair.refreshToken), 401, 'invalid_token')
    const again = await t.request('/auth/logout', {
      method: 'POST',
      json: { refreshToken: pair.refreshToken },
    })
    expect(again.status).toBe(200)
  })

  it("lists live sessions and revokes one by id, never another user's", async () => {
    const a = await loginPair('account')
    const b = await loginPair('account')
    const res = await t.request('/auth/sessions', { headers: bearer(a.accessToken) })
    expect(res.status).toBe(200)
    const { sessions } = (await res.json()) as {
      sessions: { id: string; current: boolean; userAgent: string; clientIp: string }[]
    }
    expect(sessions).toHaveLength(2)
    expect(sessions.filter((s) => s.current)).toHaveLength(1)
    expect(sessions[0]).toMatchObject({ userAgent: 'vitest', clientIp: '203.0.113.7' })
    const other = sessions.find((s) => !s.current)!

    await t.addUser('eve', PASSWORD)
    const eve = (await (await login('eve', PASSWORD, '203.0.113.7', 'account')).json()) as Pair
    await expectError(
      await t.request(`/auth/sessions/${other.id}`, { method: 'DELETE', headers: bearer(eve.accessToken) }),
      404,
      'not_found',
    )
    expect(
      (await t.request(`/auth/sessions/${other.id}`, { method: 'DELETE', headers: bearer(a.accessToken) }))
        .status,
    ).toBe(200)
    await expectError(await refresh(b.refreshToken), 401, 'invalid_token')
    expect((await refresh(a.refreshToken)).status).toBe(200)
  })

  it('logout-all revokes every session of the user', async () => {
    const a = await loginPair('account')
    const b = await loginPair('account')
    const res = await t.request('/auth/logout-all', { method: 'POST', headers: bearer(a.accessToken) })
    expect(await res.json()).toEqual({ ok: true, revoked: 2 })
    await expectError(await refresh(a.refreshToken), 401, 'invalid_token')
    await expectError(await refresh(b.refreshToken), 401, 'invalid_token')
  })

  it("refuses a Bearer token whose own session has ended, so it cannot manage the user's others", async () => {
    const a = await loginPair('account')
    const b = await loginPair('account')
    // Logged out with its refresh token: its access token still verifies, but its session is over.
    expect(
      (await t.request('/auth/logout', { method: 'POST', json: { refreshToken: a.refreshToken } })).status,
    ).toBe(200)
    const listed = await t.request('/auth/sessions', { headers: bearer(a.accessToken) })
    await expectError(listed, 401, 'invalid_token')
    expect(listed.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="tokensmith", error="invalid_token"/,
    )
    const sessionsOfB = (await (
      await t.request('/auth/sessions', { headers: bearer(b.accessToken) })
    ).json()) as {
      sessions: { id: string }[]
    }
    const [idOfB] = sessionsOfB.sessions.map((s) => s.id)
    await expectError(
      await t.request(`/auth/sessions/${idOfB}`, { method: 'DELETE', headers: bearer(a.accessToken) }),
      401,
      'invalid_token',
    )
    await expectError(
      await t.request('/auth/logout-all', { method: 'POST', headers: bearer(a.accessToken) }),
      401,
      'invalid_token',
    )
    expect((await refresh(b.refreshToken)).status).toBe(200)
    // After logout-all, not even the caller's own token manages sessions any more.
    const c = await loginPair('account')
    expect(
      (await t.request('/auth/logout-all', { method: 'POST', headers: bearer(c.accessToken) })).status,
    ).toBe(200)
    await expectError(
      await t.request('/auth/sessions', { headers: bearer(c.accessToken) }),
      401,
      'invalid_token',
    )
  })

  it('answers RFC 6750 challenges for missing, invalid and expired bearer tokens', async () => {
    const missing = await t.request('/auth/sessions')
    await expectError(missing, 401, 'missing_token')
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="tokensmith"')

    const bad = await t.request('/auth/sessions', { headers: bearer('a.b.c') })
    await expectError(bad, 401, 'invalid_token')
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer realm="tokensmith", error="invalid_token"/)

    const pair = await loginPair('account')
    t.advance(16 * 60_000 + 1)
    const expired = await t.request('/auth/sessions', { headers: bearer(pair.accessToken) })
    await expectError(expired, 401, 'token_expired')
    expect(expired.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
  })
})

describe('JWKS, discovery and health', () => {
  it('serves the JWKS with max-age tied to the publish lead and a strong ETag', async () => {
    const res = await t.request('/.well-known/jwks.json')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('public, max-age=300')
    const etag = res.headers.get('etag')!
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
    const jwks = (await res.json()) as JSONWebKeySet
    expect(jwks.keys).toHaveLength(2) // the signing key, and the standby published beside it
    for (const k of jwks.keys) expect(k).not.toHaveProperty('d')
    const cached = await t.request('/.well-known/jwks.json', { headers: { 'if-none-match': `W/${etag}` } })
    expect(cached.status).toBe(304)
    const other = await t.request('/.well-known/jwks.json', { headers: { 'if-none-match': '"other"' } })
    expect(other.status).toBe(200)
  })

  it('publishes the RFC 8414 metadata and the OpenID Connect Discovery document', async () => {
    const meta = (await (await t.request('/.well-known/oauth-authorization-server')).json()) as Record<
      string,
      unknown
    >
    expect(meta).toMatchObject({
      issuer: TEST_ISSUER_URL,
      jwks_uri: `${TEST_ISSUER_URL}/.well-known/jwks.json`,
      token_endpoint: `${TEST_ISSUER_URL}/oauth/token`,
    })
    expect(meta).not.toHaveProperty('id_token_signing_alg_values_supported')
    const oidc = (await (await t.request('/.well-known/openid-configuration')).json()) as Record<
      string,
      unknown
    >
    expect(oidc).toMatchObject({ ...meta, id_token_signing_alg_values_supported: ['RS256'] })
  })

  it('reports health and readiness, and 404s unknown paths as JSON', async () => {
    expect(await (await t.request('/healthz')).json()).toEqual({ status: 'ok' })
    expect((await t.request('/readyz')).status).toBe(200)
    await expectError(await t.request('/nope'), 404, 'not_found')
    await t.store.close()
    const res = await t.request('/readyz')
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ status: 'unavailable', checks: { store: 'failing' } })
    // A store that cannot serve is a 503 the client may retry, not a 500 that reads like a bug.
    const login = await t.request('/auth/login', { method: 'POST', json: { username: 'a', password: 'b' } })
    await expectError(login, 503, 'unavailable')
    expect(login.headers.get('retry-after')).toBe('5')
  })
})

describe('logs', () => {
  it('never contain a token, a password or a hash', async () => {
    await t.addUser('alice', PASSWORD)
    const pair = await loginPair()
    const next = (await (await refresh(pair.refreshToken)).json()) as Pair
    t.advance(20_000)
    await refresh(pair.refreshToken)
    await login('alice', 'wrong-password-123')
    const user = await findUserByUsername(t.store.records, 'alice')
    const text = t.logs.join('')
    expect(t.logs.length).toBeGreaterThan(3)
    for (const secret of [
      PASSWORD,
      'wrong-password-123',
      pair.refreshToken,
      pair.accessToken,
      next.refreshToken,
      user!.passwordHash,
    ]) {
      expect(text).not.toContain(secret)
    }
    expect(text).not.toMatch(/rt_[A-Za-z0-9_-]{20}|eyJ|\$scrypt\$/)
  })
})

describe('browser clients: refresh token in an httpOnly cookie', () => {
  const APP = 'https://app.example.com'
  let b: TestIssuer
  beforeEach(async () => {
    b = await createTestIssuer({ COOKIE_ORIGINS: APP })
    await b.addUser('alice', PASSWORD)
  })
  afterEach(async () => {
    await b.cleanup()
  })
  const browser = { origin: APP, 'x-requested-with': 'fetch' }
  const cookieOf = (res: Response) => /tokensmith_rt=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1]

  it('sets the cookie httpOnly, Secure, SameSite=Strict on /auth and keeps the token out of the body', async () => {
    const res = await b.request('/auth/login', {
      method: 'POST',
      json: { username: 'alice', password: PASSWORD, useCookie: true },
      headers: browser,
    })
    expect(res.status).toBe(200)
    const setCookie = res.headers.get('set-cookie')!
    expect(setCookie).toMatch(/tokensmith_rt=rt_[A-Za-z0-9_-]{43}/)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/Secure/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    expect(setCookie).toMatch(/Path=\/auth/)
    expect(res.headers.get('access-control-allow-origin')).toBe(APP)
    expect(res.headers.get('access-control-allow-credentials')).toBe('true')
    const body = (await res.json()) as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'tokenType'])

    const refreshed = await b.request('/auth/refresh', {
      method: 'POST',
      headers: { ...browser, cookie: `tokensmith_rt=${cookieOf(res)}` },
    })
    expect(refreshed.status).toBe(200)
    expect(cookieOf(refreshed)).toMatch(/^rt_/)
    expect(cookieOf(refreshed)).not.toBe(cookieOf(res))
    expect(Object.keys((await refreshed.json()) as object)).not.toContain('refreshToken')

    const out = await b.request('/auth/logout', {
      method: 'POST',
      headers: { ...browser, cookie: `tokensmith_rt=${cookieOf(refreshed)}` },
    })
    expect(out.status).toBe(200)
    expect(out.headers.get('set-cookie')).toMatch(/tokensmith_rt=;.*Max-Age=0/)
  })

  it('refuses cookie calls from another origin or without the custom header', async () => {
    const login = await b.request('/auth/login', {
      method: 'POST',
      json: { username: 'alice', password: PASSWORD, useCookie: true },
      headers: browser,
    })
    const cookie = `tokensmith_rt=${cookieOf(login)}`
    await expectError(
      await b.request('/auth/refresh', {
        method: 'POST',
        headers: { origin: 'https://evil.example', 'x-requested-with': 'x', cookie },
      }),
      403,
      'forbidden_origin',
    )
    await expectError(
      await b.request('/auth/refresh', { method: 'POST', headers: { origin: APP, cookie } }),
      403,
      'forbidden_origin',
    )
    await expectError(
      await b.request('/auth/logout', { method: 'POST', headers: { cookie } }),
      403,
      'forbidden_origin',
    )
    await expectError(
      await b.request('/auth/login', {
        method: 'POST',
        json: { username: 'alice', password: PASSWORD, useCookie: true },
      }),
      403,
      'forbidden_origin',
    )
    // The cookie still works from the right place: nothing above consumed it.
    expect(
      (await b.request('/auth/refresh', { method: 'POST', headers: { ...browser, cookie } })).status,
    ).toBe(200)
  })

  it('answers CORS preflight only for allowed origins', async () => {
    const ok = await b.request('/auth/refresh', {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST' },
    })
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/x-requested-with/)
    const no = await b.request('/auth/refresh', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(no.headers.get('access-control-allow-origin')).toBeNull()
  })
})
