// What ordinary clients send with their libraries' defaults, and what the issuer answers (issue 19):
// PKCE per client (RFC 9700 §2.1.1, OpenID Connect Core §3.1.2.1), standard OpenID scopes a client
// lacks dropped (RFC 6749 §3.3), CORS for single-page apps, RFC 6749 §5.2 error text, and the
// ownership rules of introspection (RFC 7662 §2.2, §4) and revocation (RFC 7009 §2.1).
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { hashClientSecret, newClientSecret } from '../../core/clients/client-secret.ts'
import { followToRedirect, pkcePair } from '../../testing/browser-session.ts'
import { basicAuth, OAUTH_USER } from '../../testing/oauth-test-issuer.ts'
import {
  createOidcTestIssuer,
  type OidcTestIssuer,
  PORTAL_REDIRECT,
  SPA_REDIRECT,
} from '../../testing/oidc-test-issuer.ts'
import { serviceClient } from '../../testing/service-client.ts'

/** RFC 6749 §4.1.2.1 and §5.2: the characters an error_description may hold. */
const DESCRIPTION = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/
const SPA_ORIGIN = 'http://127.0.0.1:8765'
const EXTRA_ORIGIN = 'https://app.example.com'
const STRICT_REDIRECT = 'https://strict.example/cb'

let t: OidcTestIssuer
let strictSecret: string
let apiSecret: string
let otherSecret: string

beforeAll(async () => {
  t = await createOidcTestIssuer()
  strictSecret = newClientSecret()
  apiSecret = newClientSecret()
  otherSecret = newClientSecret()
  await t.store.records.insert(
    CLIENTS,
    serviceClient('strict', t.now.ms, {
      grants: ['authorization_code'],
      scopes: ['openid', 'profile'],
      pkce: 'required',
      firstParty: true,
      secretHash: hashClientSecret(strictSecret),
      redirectUris: [STRICT_REDIRECT],
    }),
  )
  // A resource server: may introspect tokens issued for its audience.
  await t.store.records.insert(
    CLIENTS,
    serviceClient('orders-api', t.now.ms, { audiences: ['api'], secretHash: hashClientSecret(apiSecret) }),
  )
  // Another confidential client with nothing to do with the user's tokens.
  await t.store.records.insert(
    CLIENTS,
    serviceClient('stranger', t.now.ms, {
      audiences: ['urn:elsewhere'],
      secretHash: hashClientSecret(otherSecret),
    }),
  )
  await t.store.records.update(CLIENTS, { id: 'spa' }, { webOrigins: [EXTRA_ORIGIN], updatedAt: t.now.ms })
})
afterAll(async () => {
  expect(t.leakedSecrets()).toEqual([])
  await t?.cleanup()
})

/** The redirect of an authorization request the browser has no session for (errors come straight back). */
async function redirectOf(params: Record<string, string>): Promise<URL> {
  const res = await t.browser().get(`/oauth/authorize?${new URLSearchParams(params)}`)
  return new URL(res.headers.get('location') ?? 'http://no-redirect/')
}

describe('PKCE policy per client (RFC 9700 §2.1.1)', () => {
  const base = { response_type: 'code', state: 's' }
  const portal = { ...base, client_id: 'portal', redirect_uri: PORTAL_REDIRECT }

  it('a confidential client OpenID Connect request without PKCE signs in (nonce and client authentication bind the code)', async () => {
    const b = t.browser()
    const { location } = await followToRedirect(
      b,
      `/oauth/authorize?${new URLSearchParams({ ...portal, scope: 'openid', nonce: 'n-1' })}`,
      OAUTH_USER,
    )
    const code = location.searchParams.get('code')
    expect(code).not.toBeNull()
    const res = await t.form(
      '/oauth/token',
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: PORTAL_REDIRECT },
      { authorization: basicAuth('portal', t.portalSecret) },
    )
    expect(res.status).toBe(200)
    expect(((await res.json()) as { id_token?: string }).id_token).toEqual(expect.any(String))
  })

  it('refuses a request without PKCE from a public client, from a confidential one without openid, and from one registered --pkce required', async () => {
    const cases = [
      { client_id: 'spa', redirect_uri: SPA_REDIRECT, scope: 'openid' },
      { client_id: 'portal', redirect_uri: PORTAL_REDIRECT, scope: 'profile' },
      { client_id: 'strict', redirect_uri: STRICT_REDIRECT, scope: 'openid' },
    ]
    for (const params of cases) {
      const location = await redirectOf({ ...base, ...params })
      expect(location.searchParams.get('error'), params.client_id).toBe('invalid_request')
      expect(location.searchParams.get('error_description')).toMatch(/^PKCE is required/)
    }
  })

  it('refuses plain, a method without a challenge, and a malformed challenge, whatever the policy', async () => {
    const { challenge } = pkcePair()
    for (const extra of [
      { code_challenge: challenge } as Record<string, string>,
      { code_challenge: challenge, code_challenge_method: 'plain' },
      { code_challenge_method: 'S256' },
      { code_challenge: 'short', code_challenge_method: 'S256' },
    ]) {
      const location = await redirectOf({ ...portal, scope: 'openid', ...extra })
      expect(location.searchParams.get('error'), JSON.stringify(extra)).toBe('invalid_request')
    }
  })

  it('a challenge once sent is enforced, for a client that could have gone without', async () => {
    const { challenge } = pkcePair()
    const b = t.browser()
    const { location } = await followToRedirect(
      b,
      `/oauth/authorize?${new URLSearchParams({ ...portal, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' })}`,
      OAUTH_USER,
    )
    const res = await t.form(
      '/oauth/token',
      {
        grant_type: 'authorization_code',
        code: location.searchParams.get('code') ?? '',
        redirect_uri: PORTAL_REDIRECT,
      },
      { authorization: basicAuth('portal', t.portalSecret) },
    )
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant')
  })

  it('prompt=none without a login session answers login_required, whatever PKCE says', async () => {
    const location = await redirectOf({
      ...base,
      client_id: 'spa',
      redirect_uri: SPA_REDIRECT,
      scope: 'openid',
      prompt: 'none',
    })
    expect(location.searchParams.get('error')).toBe('login_required')
    expect(location.searchParams.get('state')).toBe('s')
  })
})

describe('standard OpenID scopes a client lacks are dropped (RFC 6749 §3.3)', () => {
  it('openid profile email for a client registered for openid profile: granted openid profile', async () => {
    const tokens = await t.tokensFor(t.browser(), {
      clientId: 'spa',
      redirectUri: SPA_REDIRECT,
      scope: 'openid profile email offline_access',
    })
    expect(tokens.scope).toBe('openid profile')
  })

  it('any other scope the client lacks is still invalid_scope, without naming it back', async () => {
    const { url } = t.authorizeUrl({
      clientId: 'spa',
      redirectUri: SPA_REDIRECT,
      scope: 'openid orders:write',
    })
    const res = await t.browser().get(url)
    const location = new URL(res.headers.get('location') ?? '')
    expect(location.searchParams.get('error')).toBe('invalid_scope')
    expect(location.searchParams.get('error_description')).not.toContain('orders:write')
  })
})

describe('CORS for browser clients', () => {
  it('discovery, RFC 8414 metadata and JWKS are readable from any origin', async () => {
    for (const path of [
      '/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server',
      '/.well-known/jwks.json',
    ]) {
      const res = await t.request(path, { headers: { origin: 'https://anywhere.example' } })
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*')
      expect(res.headers.get('access-control-allow-credentials')).toBeNull()
    }
  })

  it('answers preflights of token, revocation and userinfo for registered web origins only, never with credentials', async () => {
    for (const path of ['/oauth/token', '/oauth/revoke', '/oauth/userinfo']) {
      for (const origin of [SPA_ORIGIN, EXTRA_ORIGIN]) {
        const res = await t.request(path, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        })
        expect(res.status, `${path} ${origin}`).toBe(204)
        expect(res.headers.get('access-control-allow-origin')).toBe(origin)
        expect(res.headers.get('access-control-allow-methods')).toContain('POST')
        expect(res.headers.get('access-control-allow-credentials')).toBeNull()
      }
      const stranger = await t.request(path, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      })
      expect(stranger.headers.get('access-control-allow-origin'), path).toBeNull()
    }
    // Introspection stays server to server.
    const introspect = await t.request('/oauth/introspect', {
      method: 'OPTIONS',
      headers: { origin: SPA_ORIGIN, 'access-control-request-method': 'POST' },
    })
    expect(introspect.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('a token answer, an error included, is readable only by an origin of the client it authenticated', async () => {
    const b = t.browser()
    const { code, verifier } = await t.codeFor(b, { clientId: 'spa', redirectUri: SPA_REDIRECT })
    const exchange = (origin: string) =>
      t.form(
        '/oauth/token',
        {
          grant_type: 'authorization_code',
          client_id: 'spa',
          code,
          code_verifier: verifier,
          redirect_uri: SPA_REDIRECT,
        },
        { origin },
      )
    // Another client's origin: the answer is not the page's to read.
    const partnerOrigin = await t.form(
      '/oauth/token',
      { grant_type: 'refresh_token', client_id: 'spa', refresh_token: 'rt_x' },
      { origin: 'https://partner.example' },
    )
    expect(partnerOrigin.headers.get('access-control-allow-origin')).toBeNull()
    const ok = await exchange(SPA_ORIGIN)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN)
    expect(ok.headers.get('vary')).toContain('Origin')
    const body = (await ok.json()) as { access_token: string; refresh_token: string }
    // The replayed code: invalid_grant, and the page can read why.
    const replay = await exchange(EXTRA_ORIGIN)
    expect(replay.status).toBe(400)
    expect(replay.headers.get('access-control-allow-origin')).toBe(EXTRA_ORIGIN)
    expect(replay.headers.get('access-control-allow-credentials')).toBeNull()
    const info = await t.request('/oauth/userinfo', {
      headers: { authorization: `Bearer ${body.access_token}`, origin: SPA_ORIGIN },
    })
    expect(info.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN)
  })
})

describe('RFC 6749 §5.2 error text', () => {
  const hostile = fc.stringMatching(/^[\s\S]{1,40}$/).map((s) => `Zq${s}"\\\u0000§`)

  it('every error_description of the token, revocation and introspection endpoints holds only the allowed characters and never echoes the request', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/oauth/token', '/oauth/revoke', '/oauth/introspect'),
        hostile,
        fc.constantFrom('name', 'value', 'repeat', 'grant', 'scope'),
        async (path, text, where) => {
          const enc = encodeURIComponent(text)
          const body =
            where === 'name'
              ? `${enc}=1&${enc}=2`
              : where === 'repeat'
                ? `grant_type=${enc}&grant_type=${enc}`
                : where === 'grant'
                  ? `grant_type=${enc}`
                  : where === 'scope'
                    ? `grant_type=client_credentials&scope=${enc}`
                    : `grant_type=password&username=${enc}&password=x`
          const res = await t.form(path, body, { authorization: basicAuth('svc', t.svcSecret) })
          const json = (await res.json()) as { error_description?: string }
          if (json.error_description === undefined) return
          expect(json.error_description).toMatch(DESCRIPTION)
          expect(json.error_description).not.toContain('Zq')
        },
      ),
      { numRuns: 60 },
    )
  })

  it('so does every authorization error sent back to the client', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostile,
        fc.constantFrom('scope', 'prompt', 'response_type', 'max_age', 'claims', 'code_challenge_method'),
        async (text, param) => {
          const location = await redirectOf({
            response_type: 'code',
            client_id: 'spa',
            redirect_uri: SPA_REDIRECT,
            scope: 'openid',
            code_challenge: pkcePair().challenge,
            code_challenge_method: 'S256',
            [param]: text,
          })
          const description = location.searchParams.get('error_description')
          if (description === null) return
          expect(description).toMatch(DESCRIPTION)
          expect(description).not.toContain('Zq')
        },
      ),
      { numRuns: 40 },
    )
  })
})

describe('introspection and revocation answer only for the token owner (RFC 7662 §2.2, RFC 7009 §2.1)', () => {
  const userPair = () => t.tokensFor(t.browser(), { clientId: 'spa', redirectUri: SPA_REDIRECT })
  const introspect = async (id: string, secret: string, token: string) =>
    (await (
      await t.form('/oauth/introspect', { token }, { authorization: basicAuth(id, secret) })
    ).json()) as { active: boolean }

  it('active: true for a client whose audience the token carries, false for any other', async () => {
    const pair = await userPair()
    expect((await introspect('orders-api', apiSecret, pair.access_token)).active).toBe(true)
    expect(await introspect('stranger', otherSecret, pair.access_token)).toEqual({ active: false })
    expect(await introspect('stranger', otherSecret, pair.refresh_token)).toEqual({ active: false })
    expect(await introspect('portal', t.portalSecret, pair.access_token)).toEqual({ active: false })
  })

  it('revoking another client valid token is 400 unauthorized_client and changes nothing', async () => {
    const pair = await userPair()
    for (const token of [pair.refresh_token, pair.access_token]) {
      const res = await t.form(
        '/oauth/revoke',
        { token },
        { authorization: basicAuth('stranger', otherSecret) },
      )
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: string }).error).toBe('unauthorized_client')
    }
    const refreshed = await t.form('/oauth/token', {
      grant_type: 'refresh_token',
      client_id: 'spa',
      refresh_token: pair.refresh_token,
    })
    expect(refreshed.status).toBe(200)
    // Unknown and invalid tokens still answer 200 (RFC 7009 §2.2).
    for (const token of ['rt_unknown', 'not-a-token', pair.refresh_token]) {
      const res = await t.form(
        '/oauth/revoke',
        { token },
        { authorization: basicAuth('stranger', otherSecret) },
      )
      expect(res.status, token).toBe(200)
    }
  })
})
