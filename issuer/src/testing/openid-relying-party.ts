// A relying party nobody here wrote the protocol side of: openid-client (code + PKCE S256,
// `state`, `nonce`) behind a tiny node:http server on 127.0.0.1, for the browser tests.
// GET /login starts the flow (its `acr_values`, `max_age` and `prompt` passed on), GET /callback finishes it (tokens, ID token checked by
// openid-client, userinfo), GET /logout starts RP-initiated logout, GET /bye is where it returns.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as client from 'openid-client'

export interface RelyingPartyLogin {
  sub: string
  idTokenClaims: Record<string, unknown>
  userinfo: Record<string, unknown>
  accessToken: string
  refreshToken: string | undefined
  idToken: string
}

export interface RelyingParty {
  origin: string
  clientId: string
  redirectUri: string
  postLogoutRedirectUri: string
  /** What the last completed callback got; null before. */
  lastLogin(): RelyingPartyLogin | null
  /** The error of the last failed callback, or null. */
  lastError(): string | null
  close(): Promise<void>
}

/** Starts the server first (the redirect URI needs its port), discovery happens on first /login. */
export async function startRelyingParty(opts: {
  issuerUrl: string
  clientId: string
  scope?: string
}): Promise<RelyingParty> {
  let config: client.Configuration | null = null
  let pending: { verifier: string; state: string; nonce: string } | null = null
  let login: RelyingPartyLogin | null = null
  let error: string | null = null
  let logoutState: string | null = null

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      page(res, 500, `<h1>relying party error</h1><p id="error">${escapeHtml(error)}</p>`)
    })
  })
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  )
  const origin = `http://127.0.0.1:${port}`
  const redirectUri = `${origin}/callback`
  const postLogoutRedirectUri = `${origin}/bye`

  async function configuration(): Promise<client.Configuration> {
    config ??= await client.discovery(new URL(opts.issuerUrl), opts.clientId, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    })
    return config
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin)
    switch (url.pathname) {
      case '/login': {
        const cfg = await configuration()
        const verifier = client.randomPKCECodeVerifier()
        pending = { verifier, state: client.randomState(), nonce: client.randomNonce() }
        const target = client.buildAuthorizationUrl(cfg, {
          redirect_uri: redirectUri,
          scope: opts.scope ?? 'openid profile',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state: pending.state,
          nonce: pending.nonce,
          // A step-up asks again with the classes a service named (RFC 9470 §4).
          ...Object.fromEntries(
            ['acr_values', 'max_age', 'prompt'].flatMap((name) => {
              const value = url.searchParams.get(name)
              return value === null ? [] : [[name, value]]
            }),
          ),
        })
        res.writeHead(302, { location: target.href }).end()
        return
      }
      case '/callback': {
        const cfg = await configuration()
        const checks = pending
        pending = null
        if (checks === null) throw new Error('no login in progress')
        const tokens = await client.authorizationCodeGrant(cfg, url, {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        })
        const claims = tokens.claims()
        if (claims === undefined || tokens.id_token === undefined) throw new Error('no ID token')
        const userinfo = await client.fetchUserInfo(cfg, tokens.access_token, claims.sub)
        login = {
          sub: claims.sub,
          idTokenClaims: { ...claims },
          userinfo: { ...userinfo },
          accessToken: tokens.access_token,
          refreshToken: tokens.refresh_token,
          idToken: tokens.id_token,
        }
        error = null
        page(
          res,
          200,
          `<h1>signed in</h1><p id="user">${escapeHtml(String(userinfo.preferred_username ?? claims.sub))}</p>`,
        )
        return
      }
      case '/logout': {
        const cfg = await configuration()
        if (login === null) throw new Error('not signed in')
        logoutState = client.randomState()
        const target = client.buildEndSessionUrl(cfg, {
          id_token_hint: login.idToken,
          post_logout_redirect_uri: postLogoutRedirectUri,
          state: logoutState,
        })
        res.writeHead(302, { location: target.href }).end()
        return
      }
      case '/bye': {
        const ok = logoutState !== null && url.searchParams.get('state') === logoutState
        page(res, ok ? 200 : 400, `<h1>${ok ? 'signed out' : 'state mismatch'}</h1>`)
        return
      }
      default:
        page(res, 404, '<h1>not found</h1>')
    }
  }

  return {
    origin,
    clientId: opts.clientId,
    redirectUri,
    postLogoutRedirectUri,
    lastLogin: () => login,
    lastError: () => error,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

function page(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
  res.end(`<!doctype html><title>relying party</title>${body}`)
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}
