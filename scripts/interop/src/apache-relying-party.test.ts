// mod_auth_openidc (Debian's libapache2-mod-auth-openidc) as an OpenID Connect relying party in
// front of a page, configured with its documented minimum and nothing else: provider metadata,
// client id and secret, redirect URI, crypto passphrase. So its defaults meet the issuer: scope
// `openid`, the code flow, client_secret_basic, a nonce, and no PKCE (an OpenID Connect request
// of a confidential client may omit it). A cookie-keeping fetch plays the browser on both sides.
import { randomBytes } from 'node:crypto'
import { findUserByUsername, openStore } from '@tokensmith/issuer/admin'
import { createBrowserSession, freePort } from '@tokensmith/issuer/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addClient, addUser } from './testing/admin-cli.ts'
import { type ApacheServer, startApache } from './testing/apache-httpd.ts'
import { nodeFetcher } from './testing/node-fetch.ts'
import { startTlsIssuer, type TlsIssuer } from './testing/tls-issuer.ts'

const USER = { username: 'alice', password: 'correct horse battery staple' }
const CLIENT_ID = 'apache-rp'
let issuer: TlsIssuer | undefined
let apache: ApacheServer | undefined
let apacheUrl: string
let secret = ''
let aliceId: string
const passphrase = randomBytes(24).toString('base64url')

beforeAll(async () => {
  const port = await freePort()
  apacheUrl = `http://127.0.0.1:${port}`
  issuer = await startTlsIssuer({
    prepare: async ({ databaseUrl }) => {
      await addUser(databaseUrl, `${USER.username} --role user`, USER.password)
      // The registration docs/oidc.md gives: a third-party confidential client (so the consent
      // page is walked too), scope openid, its redirect URI.
      secret = await addClient(
        databaseUrl,
        `${CLIENT_ID} --type confidential --name Apache --grant authorization_code --scope openid --redirect-uri ${apacheUrl}/protected/redirect_uri`,
      )
      const store = await openStore(databaseUrl)
      aliceId = (await findUserByUsername(store.records, USER.username))?.id ?? ''
      await store.close()
    },
  })
  apache = await startApache({
    ports: [port],
    modules: ['authn_core', 'authz_core', 'authz_user', 'headers', 'dir', 'auth_openidc'],
    files: {
      'issuer-ca.crt': issuer.tls.caPem,
      'htdocs/protected/index.html': '<p>Hello from behind mod_auth_openidc</p>\n',
    },
    // The page echoes what mod_auth_openidc tells the application (OIDC_CLAIM_* environment
    // variables, its OIDCPassClaimsAs default), so the test sees the user it signed in.
    config: `
DirectoryIndex index.html
OIDCProviderMetadataURL ${issuer.url}/.well-known/openid-configuration
OIDCClientID ${CLIENT_ID}
OIDCClientSecret ${secret}
OIDCRedirectURI ${apacheUrl}/protected/redirect_uri
OIDCCryptoPassphrase ${passphrase}
OIDCCABundlePath %ROOT%/issuer-ca.crt
<Location /protected/>
  AuthType openid-connect
  Require valid-user
  Header set X-Claim-Sub "%{OIDC_CLAIM_sub}e"
  Header set X-Claim-Iss "%{OIDC_CLAIM_iss}e"
  Header set X-Claim-Aud "%{OIDC_CLAIM_aud}e"
</Location>
`,
  })
})

afterAll(async () => {
  await apache?.stop()
  const leaked = (await issuer?.stop([USER.password, secret, passphrase])) ?? []
  expect(leaked).toEqual([])
})

// What a browser's top-level navigation sends. mod_auth_openidc answers 401 instead of sending
// the browser to the provider when a request looks like a script's (Sec-Fetch-Mode other than
// navigate, X-Requested-With): a script could not follow the redirect. Node's fetch forces
// `Sec-Fetch-Mode: cors`, so Apache is reached through nodeFetcher, which sends these as given.
const NAVIGATION = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
}

/** A cookie-keeping browser at Apache; redirects come back to the test. */
const browserAtApache = () => {
  const fetcher = nodeFetcher()
  return createBrowserSession((path, init) => {
    const headers = new Headers(init?.headers)
    for (const [name, value] of Object.entries(NAVIGATION)) headers.set(name, value)
    return fetcher(`${apacheUrl}${path}`, { ...init, headers })
  }, apacheUrl)
}

describe('mod_auth_openidc as a relying party, with its defaults', () => {
  it('sends the browser to the issuer, redeems the code and serves the page to the signed-in user', async () => {
    if (issuer === undefined || apache === undefined) throw new Error('not started')
    const atApache = browserAtApache()
    const diagnose = async () => `\napache error log:\n${await apache?.errorLog()}`

    // 1. The protected page: not served, the browser goes to the issuer's authorization endpoint.
    const first = await atApache.get('/protected/')
    expect(first.status, await diagnose()).toBe(302)
    const authorize = new URL(first.headers.get('location') ?? '')
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${issuer.url}/oauth/authorize`)
    const asked = Object.fromEntries(authorize.searchParams)
    expect(asked).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      scope: 'openid',
      redirect_uri: `${apacheUrl}/protected/redirect_uri`,
    })
    expect(asked.state).toMatch(/.{16,}/)
    expect(asked.nonce).toMatch(/.{16,}/)
    // Its default: no PKCE, which the issuer's openid-optional policy accepts for this client.
    expect(asked.code_challenge).toBeUndefined()

    // 2. The hosted login and consent pages, then back to Apache's redirect URI with the code.
    const location = await issuer.signIn(authorize.href, USER)
    expect(`${location.origin}${location.pathname}`).toBe(`${apacheUrl}/protected/redirect_uri`)
    expect(location.searchParams.get('state')).toBe(asked.state)
    expect(location.searchParams.get('iss')).toBe(issuer.url)
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/)

    // 3. Apache redeems the code at the token endpoint (its client secret, over TLS it verified
    // against the test CA), validates the ID token, starts its session, sends the browser back.
    const callback = await atApache.get(`${location.pathname}${location.search}`)
    expect(callback.status, await diagnose()).toBe(302)
    expect(callback.headers.get('location')).toBe(`${apacheUrl}/protected/`)

    // 4. The page, with the claims of the user who signed in.
    const page = await atApache.get('/protected/')
    expect(page.status, await diagnose()).toBe(200)
    expect(await page.text()).toContain('Hello from behind mod_auth_openidc')
    expect(aliceId).toMatch(/^[0-9a-f-]{36}$/)
    expect(page.headers.get('x-claim-sub')).toBe(aliceId)
    expect(page.headers.get('x-claim-iss')).toBe(issuer.url)
    expect(page.headers.get('x-claim-aud')).toBe(CLIENT_ID)

    // Another browser, without Apache's session cookie, is sent to sign in; a script's request
    // (what Node's fetch sends) is answered 401, since it could not follow the redirect.
    const stranger = await browserAtApache().get('/protected/')
    expect(stranger.status).toBe(302)
    const script = await nodeFetcher()(`${apacheUrl}/protected/`, { headers: { 'sec-fetch-mode': 'cors' } })
    expect(script.status).toBe(401)
    // It accepts the loopback's plain http redirect URI, with a warning (a real site uses https).
    expect(await apache.errorLog()).toMatch(/OIDCRedirectURI SHOULD be "https"/)
  })
})
