// The authorization code flow against relying-party libraries nobody here wrote: openid-client 6
// and oauth4webapi 3, and jose for the ID token. A real issuer process on 127.0.0.1 (real time,
// so the libraries' clock checks hold); the hosted pages are driven by a cookie-keeping fetch,
// the libraries do the rest as they would against any OpenID Provider.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstPartyPublicClient } from '../../core/clients/client-record.ts'
import { type BrowserSession, createBrowserSession, followToRedirect } from '../../testing/browser-session.ts'
import { freePort } from '../../testing/free-port.ts'
import { leakedLines } from '../../testing/http-probe.ts'
import { seedIssuerData } from '../../testing/seed-issuer-data.ts'
import { type SpawnedIssuer, spawnIssuer } from '../../testing/spawn-issuer.ts'

const USER = { username: 'alice', password: 'correct horse battery staple' }
const REDIRECT = 'http://127.0.0.1/callback'
const LOGOUT_REDIRECT = 'http://127.0.0.1/signed-out'
let dir: string
let issuer: SpawnedIssuer
const logLines: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-oidc-interop-'))
  const now = Date.now()
  const rp = (id: string, firstParty: boolean) => ({
    ...firstPartyPublicClient(id, now),
    firstParty,
    grants: ['authorization_code' as const, 'refresh_token' as const],
    scopes: ['openid', 'profile', 'roles'],
    redirectUris: [REDIRECT],
    postLogoutRedirectUris: [LOGOUT_REDIRECT],
  })
  await seedIssuerData({
    keysDir: join(dir, 'keys'),
    databaseUrl: `sqlite:${join(dir, 'issuer.db')}`,
    users: [{ ...USER, roles: ['user', 'admin'] }],
    clients: [rp('rp-one', true), rp('rp-two', false)],
  })
  issuer = await spawnIssuer(
    {
      KEYS_DIR: join(dir, 'keys'),
      DATABASE_URL: `sqlite:${join(dir, 'issuer.db')}`,
      SCRYPT_LOG_N: '10',
      COOKIE_SECURE: 'false',
    },
    { port: await freePort(), onLogLine: (line) => logLines.push(line) },
  )
})

afterAll(async () => {
  await issuer?.stop()
  expect(leakedLines(logLines, [USER.password])).toEqual([])
  await rm(dir, { recursive: true, force: true })
})

const browser = (): BrowserSession =>
  createBrowserSession(
    (path, init) => fetch(`${issuer.url}${path}`, { ...init, redirect: 'manual' }),
    issuer.url,
  )

/** A relying party's callback on an ephemeral loopback port (RFC 8252 §7.3). */
const callbackOn = (port: number) => `http://127.0.0.1:${port}/callback`

describe('openid-client 6 (OpenID Connect Core §3.1)', () => {
  const options = { execute: [client.allowInsecureRequests] }

  it('authorizationCodeGrant with PKCE, state and nonce; the ID token validated; userinfo; RP-initiated logout', async () => {
    const config = await client.discovery(new URL(issuer.url), 'rp-one', undefined, client.None(), options)
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const redirectUri = callbackOn(49152)
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile roles',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    const b = browser()
    const { location } = await followToRedirect(b, url.href, USER)
    const tokens = await client.authorizationCodeGrant(config, location, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    })
    const claims = tokens.claims()
    expect(claims?.aud).toBe('rp-one')
    expect(claims?.nonce).toBe(nonce)
    expect(typeof claims?.sid).toBe('string')
    const info = await client.fetchUserInfo(config, tokens.access_token, claims?.sub ?? '')
    expect(info).toEqual({
      sub: claims?.sub,
      preferred_username: 'alice',
      updated_at: expect.any(Number),
      roles: ['user', 'admin'],
    })

    // jose, with the JWKS fetched from the issuer.
    const jwks = createRemoteJWKSet(new URL(`${issuer.url}/.well-known/jwks.json`))
    const verified = await jwtVerify(tokens.id_token ?? '', jwks, {
      issuer: issuer.url,
      audience: 'rp-one',
      algorithms: ['RS256'],
      typ: 'JWT',
    })
    expect(verified.payload.sub).toBe(claims?.sub)

    // Single sign-on: the second relying party (third-party: consent once) without the form.
    const two = await client.discovery(new URL(issuer.url), 'rp-two', undefined, client.None(), options)
    const v2 = client.randomPKCECodeVerifier()
    const url2 = client.buildAuthorizationUrl(two, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(v2),
      code_challenge_method: 'S256',
      state,
    })
    const first = await b.get(url2.href)
    const consentPage = await first.text()
    expect(consentPage).toContain('value="allow"')
    expect(consentPage).not.toContain('name="password"')
    const { location: back2 } = await followToRedirect(b, url2.href, USER)
    const tokens2 = await client.authorizationCodeGrant(two, back2, {
      pkceCodeVerifier: v2,
      expectedState: state,
    })
    expect(tokens2.claims()?.sid).toBe(claims?.sid)

    // OpenID Connect RP-Initiated Logout 1.0 §2.
    const logout = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: LOGOUT_REDIRECT,
      state: 'after',
    })
    const out = await b.get(logout.href)
    expect(out.status).toBe(302)
    expect(out.headers.get('location')).toBe(`${LOGOUT_REDIRECT}?state=after`)
    const afterwards = await b.get(
      client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        prompt: 'none',
      }).href,
    )
    expect(new URL(afterwards.headers.get('location') ?? '').searchParams.get('error')).toBe('login_required')
    // Both relying parties' refresh tokens ended with the login session.
    for (const [cfg, t] of [
      [config, tokens],
      [two, tokens2],
    ] as const) {
      await expect(client.refreshTokenGrant(cfg, t.refresh_token ?? '')).rejects.toMatchObject({
        error: 'invalid_grant',
      })
    }
  })
})

describe('oauth4webapi 3 (RFC 6749 §4.1, RFC 9207)', () => {
  const insecure = { [oauth.allowInsecureRequests]: true }
  let as: oauth.AuthorizationServer

  beforeAll(async () => {
    const issuerUrl = new URL(issuer.url)
    as = await oauth.processDiscoveryResponse(
      issuerUrl,
      await oauth.discoveryRequest(issuerUrl, { algorithm: 'oidc', ...insecure }),
    )
  })

  it('validateAuthResponse (iss checked) and processAuthorizationCodeResponse (ID token, nonce) accept the answers', async () => {
    const rp: oauth.Client = { client_id: 'rp-one' }
    const verifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const nonce = oauth.generateRandomNonce()
    const redirectUri = callbackOn(50000)
    const url = new URL(as.authorization_endpoint ?? '')
    for (const [k, v] of Object.entries({
      client_id: rp.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid profile',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })) {
      url.searchParams.set(k, v)
    }
    const { location } = await followToRedirect(browser(), url.href, USER)
    const params = oauth.validateAuthResponse(as, rp, location, state)
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      rp,
      oauth.None(),
      params,
      redirectUri,
      verifier,
      insecure,
    )
    const result = await oauth.processAuthorizationCodeResponse(as, rp, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    })
    expect(result.token_type.toLowerCase()).toBe('bearer')
    expect(oauth.getValidatedIdTokenClaims(result)?.aud).toBe('rp-one')
  })

  it('an error answer (prompt=none, no login session) surfaces as AuthorizationResponseError login_required', async () => {
    const rp: oauth.Client = { client_id: 'rp-one' }
    const url = new URL(as.authorization_endpoint ?? '')
    const state = oauth.generateRandomState()
    for (const [k, v] of Object.entries({
      client_id: rp.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
      code_challenge_method: 'S256',
      prompt: 'none',
      state,
    })) {
      url.searchParams.set(k, v)
    }
    const res = await browser().get(url.href)
    const location = new URL(res.headers.get('location') ?? '')
    expect(() => oauth.validateAuthResponse(as, rp, location, state)).toThrow(
      expect.objectContaining({ error: 'login_required' }),
    )
  })
})
