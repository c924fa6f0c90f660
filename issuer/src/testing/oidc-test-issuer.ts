// An in-process issuer (createOAuthTestIssuer) with clients of the authorization code flow,
// registered through the store: `spa` (public, first-party, a loopback redirect), `partner`
// (public, third-party: consent), `portal` (confidential, third-party, client_secret_basic).

import { CLIENTS } from '../core/clients/client-collection.ts'
import { hashClientSecret, newClientSecret } from '../core/clients/client-secret.ts'
import { type BrowserSession, createBrowserSession, followToRedirect, pkcePair } from './browser-session.ts'
import { createOAuthTestIssuer, OAUTH_USER, type OAuthTestIssuer } from './oauth-test-issuer.ts'
import { serviceClient } from './service-client.ts'
import { TEST_ISSUER_URL } from './test-issuer.ts'

export const SPA_REDIRECT = 'http://127.0.0.1:8765/callback'
export const PARTNER_REDIRECT = 'https://partner.example/cb'
export const PARTNER_LOGOUT_REDIRECT = 'https://partner.example/signed-out'
export const PORTAL_REDIRECT = 'https://portal.example/oidc/callback'

export interface AuthorizeStart {
  clientId: string
  redirectUri: string
  scope?: string
  state?: string
  nonce?: string
  extra?: Record<string, string>
}

export interface OidcTestIssuer extends OAuthTestIssuer {
  portalSecret: string
  browser(): BrowserSession
  /** The /oauth/authorize URL (path and query) with a fresh PKCE pair. */
  authorizeUrl(start: AuthorizeStart): { url: string; verifier: string; challenge: string }
  /** Through the login form (and consent when shown) to the code; returns the code and verifier. */
  codeFor(
    browser: BrowserSession,
    start: AuthorizeStart,
    credentials?: { username: string; password: string },
  ): Promise<{ code: string; verifier: string; location: URL }>
  /** codeFor, then the code redeemed by the public client `start.clientId` with its verifier. */
  tokensFor(
    browser: BrowserSession,
    start: AuthorizeStart,
    credentials?: { username: string; password: string },
  ): Promise<CodeTokens>
}

/** The token endpoint's answer to a redeemed code (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3). */
export interface CodeTokens {
  access_token: string
  refresh_token: string
  id_token: string
  scope: string
}

export async function createOidcTestIssuer(env: Record<string, string> = {}): Promise<OidcTestIssuer> {
  const t = await createOAuthTestIssuer({ COOKIE_SECURE: 'false', ...env })
  const now = t.now.ms
  const browserClient = {
    type: 'public' as const,
    grants: ['authorization_code' as const, 'refresh_token' as const],
    scopes: ['openid', 'profile', 'roles', 'orders:read'],
  }
  await t.store.records.insert(
    CLIENTS,
    serviceClient('spa', now, {
      ...browserClient,
      name: 'Single Page',
      firstParty: true,
      redirectUris: [SPA_REDIRECT],
    }),
  )
  await t.store.records.insert(
    CLIENTS,
    serviceClient('partner', now, {
      ...browserClient,
      name: 'Partner <App> & Co',
      redirectUris: [PARTNER_REDIRECT],
      postLogoutRedirectUris: [PARTNER_LOGOUT_REDIRECT],
    }),
  )
  const portalSecret = newClientSecret()
  await t.store.records.insert(
    CLIENTS,
    serviceClient('portal', now, {
      name: 'Portal',
      grants: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile'],
      secretHash: hashClientSecret(portalSecret),
      redirectUris: [PORTAL_REDIRECT],
    }),
  )
  const browser = () => createBrowserSession((path, init) => t.request(path, init), TEST_ISSUER_URL)
  const authorizeUrl: OidcTestIssuer['authorizeUrl'] = (start) => {
    const { verifier, challenge } = pkcePair()
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: start.clientId,
      redirect_uri: start.redirectUri,
      scope: start.scope ?? 'openid profile',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...(start.state === undefined ? {} : { state: start.state }),
      ...(start.nonce === undefined ? {} : { nonce: start.nonce }),
      ...start.extra,
    })
    return { url: `/oauth/authorize?${q}`, verifier, challenge }
  }
  const codeFor: OidcTestIssuer['codeFor'] = async (b, start, credentials = OAUTH_USER) => {
    const { url, verifier } = authorizeUrl(start)
    const { location, response } = await followToRedirect(b, url, credentials)
    const code = location.searchParams.get('code')
    if (code === null) throw new Error(`no code: ${response.status} ${location}`)
    return { code, verifier, location }
  }
  return {
    ...t,
    portalSecret,
    browser,
    authorizeUrl,
    codeFor,
    async tokensFor(b, start, credentials) {
      const { code, verifier } = await codeFor(b, start, credentials)
      const res = await t.form('/oauth/token', {
        grant_type: 'authorization_code',
        client_id: start.clientId,
        code,
        code_verifier: verifier,
        redirect_uri: start.redirectUri,
      })
      if (res.status !== 200) throw new Error(`code redemption failed: ${res.status} ${await res.text()}`)
      return (await res.json()) as CodeTokens
    },
  }
}
