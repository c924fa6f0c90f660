// mod_auth_openidc (Debian's libapache2-mod-auth-openidc) as an OAuth 2.0 resource server in
// front of an API, both ways its documentation gives: validating the issuer's JWT access tokens
// itself with the keys at the issuer's JWKS URL (OIDCOAuthVerifyJwksUri), and asking the issuer
// (RFC 7662 introspection, OIDCOAuthIntrospectionEndpoint) as a client registered with the
// tokens' audience. One Apache, one virtual host for each way; the issuer over HTTPS, which Apache
// verifies against the test CA (OIDCCABundlePath), never with validation turned off.
import { randomBytes, randomUUID } from 'node:crypto'
import { freePort, leakedLines } from '@tokensmith/issuer/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addClient, addUser } from './testing/admin-cli.ts'
import { type ApacheServer, startApache } from './testing/apache-httpd.ts'
import { startTlsIssuer, type TlsIssuer } from './testing/tls-issuer.ts'

const USER = { username: 'alice', password: 'correct horse battery staple' }
// Short-lived access tokens for the caller, so that one expires within the test; CLOCK_SKEW=0
// below makes the issuer's own introspection call it expired at its `exp` too.
const TOKEN_TTL_SEC = 4
let issuer: TlsIssuer | undefined
let apache: ApacheServer | undefined
let jwksApi: string
let introspectionApi: string
const secrets = { caller: '', apache: '' }
const passphrase = randomBytes(24).toString('base64url')

beforeAll(async () => {
  const [jwksPort, introspectionPort] = [await freePort(), await freePort()]
  jwksApi = `http://127.0.0.1:${jwksPort}`
  introspectionApi = `http://127.0.0.1:${introspectionPort}`
  issuer = await startTlsIssuer({
    env: { CLOCK_SKEW: '0' },
    prepare: async ({ databaseUrl }) => {
      await addUser(databaseUrl, `${USER.username} --role user`, USER.password)
      ;[secrets.caller, secrets.apache] = await Promise.all([
        // The application calling the API: the password grant keeps the test short; any grant
        // that ends in an access token for the audience `api` (AUDIENCE's default) would do.
        addClient(
          databaseUrl,
          `api-caller --type confidential --first-party --grant password --access-token-ttl ${TOKEN_TTL_SEC}s`,
        ),
        // Apache's own registration for introspection: the audience of the tokens it protects.
        addClient(databaseUrl, 'apache-rs --type confidential --audience api'),
      ])
    },
  })
  apache = await startApache({
    ports: [jwksPort, introspectionPort],
    modules: ['authn_core', 'authz_core', 'authz_user', 'headers', 'auth_openidc'],
    files: {
      'issuer-ca.crt': issuer.tls.caPem,
      'htdocs/api/orders': '{"orders":[]}\n',
      'htdocs/api-live/orders': '{"orders":[]}\n',
    },
    // The API echoes what mod_auth_openidc passes it (OIDC_CLAIM_* environment variables).
    // OIDCOAuthTokenIntrospectionInterval -1 on /api-live/: introspect on every request, where
    // the default caches an active answer until the token's exp.
    config: `
OIDCCABundlePath %ROOT%/issuer-ca.crt
OIDCCryptoPassphrase ${passphrase}
OIDCCacheEncrypt On
<VirtualHost 127.0.0.1:${jwksPort}>
  OIDCOAuthVerifyJwksUri ${issuer.url}/.well-known/jwks.json
  <Location /api/>
    AuthType oauth20
    Require valid-user
    Header set X-Claim-Sub "%{OIDC_CLAIM_sub}e"
    Header set X-Claim-Client-Id "%{OIDC_CLAIM_client_id}e"
  </Location>
</VirtualHost>
<VirtualHost 127.0.0.1:${introspectionPort}>
  OIDCOAuthIntrospectionEndpoint ${issuer.url}/oauth/introspect
  OIDCOAuthClientID apache-rs
  OIDCOAuthClientSecret ${secrets.apache}
  <Location /api/>
    AuthType oauth20
    Require valid-user
    Header set X-Claim-Sub "%{OIDC_CLAIM_sub}e"
  </Location>
  <Location /api-live/>
    AuthType oauth20
    Require valid-user
    OIDCOAuthTokenIntrospectionInterval -1
    Header set X-Claim-Sub "%{OIDC_CLAIM_sub}e"
  </Location>
</VirtualHost>
`,
  })
})

afterAll(async () => {
  // With OIDCCacheEncrypt On the cache keys are hashes: without it, mod_auth_openidc 2.4.12's
  // shm cache refuses keys over 512 bytes, logging each access token whole at level error (and
  // then introspects every request, as it cannot cache).
  const apacheLog = (await apache?.errorLog()) ?? ''
  await apache?.stop()
  const leaked = (await issuer?.stop([USER.password, secrets.caller, secrets.apache])) ?? []
  expect(leaked).toEqual([])
  expect(leakedLines(apacheLog.split('\n'), [secrets.apache, passphrase])).toEqual([])
})

interface Tokens {
  accessToken: string
  sub: string
  exp: number
}

/** A form post to one of the issuer's endpoints, authenticated as the caller (client_secret_basic). */
async function postAsCaller(path: string, fields: Record<string, string>): Promise<Response> {
  if (issuer === undefined) throw new Error('not started')
  return issuer.fetch(`${issuer.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`api-caller:${secrets.caller}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
  })
}

/** A login of alice through the caller: a new session at the issuer, and its access token. */
async function signIn(): Promise<Tokens> {
  const res = await postAsCaller('/oauth/token', { grant_type: 'password', ...USER })
  const body = (await res.json()) as { access_token: string }
  expect(res.status, JSON.stringify(body)).toBe(200)
  const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1] ?? '', 'base64url').toString()) as {
    sub: string
    exp: number
    aud: string | string[]
  }
  expect(claims.aud === 'api' || (Array.isArray(claims.aud) && claims.aud.includes('api'))).toBe(true)
  return { accessToken: body.access_token, sub: claims.sub, exp: claims.exp }
}

/** The access token ended by RFC 7009 revocation (its session with it), as at sign-out. */
async function revoke(token: string): Promise<void> {
  expect((await postAsCaller('/oauth/revoke', { token })).status).toBe(200)
}

const call = (api: string, path: string, token: string | null) =>
  fetch(`${api}${path}`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } })

/** The same token with one character of its signature changed. */
function tampered(token: string): string {
  const at = token.length - 10
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`
}

async function expectAccepted(api: string, path: string, token: string, sub: string): Promise<void> {
  const res = await call(api, path, token)
  expect(res.status, `${await res.text()}\n${await apache?.errorLog()}`).toBe(200)
  expect(res.headers.get('x-claim-sub')).toBe(sub)
}

async function expectRefused(api: string, path: string, token: string | null): Promise<void> {
  const res = await call(api, path, token)
  expect(res.status, await apache?.errorLog()).toBe(401)
  // RFC 6750 §3: the challenge names the Bearer scheme.
  expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer/)
}

const untilExpired = (exp: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now() + 1200)))

// Concurrent: each way waits for a token to expire, and the two waits may as well overlap. The
// tests share only the issuer and Apache, each with tokens of its own.
describe.concurrent('mod_auth_openidc as an OAuth 2.0 resource server', () => {
  it('JWKS: accepts a valid access token, even after its session ended, until exp; refuses none, a tampered one, an expired one', async () => {
    const alice = await signIn()
    await expectAccepted(jwksApi, '/api/orders', alice.accessToken, alice.sub)
    const accepted = await call(jwksApi, '/api/orders', alice.accessToken)
    expect(accepted.headers.get('x-claim-client-id')).toBe('api-caller')
    expect(await accepted.text()).toBe('{"orders":[]}\n')
    await expectRefused(jwksApi, '/api/orders', null)
    await expectRefused(jwksApi, '/api/orders', tampered(alice.accessToken))
    await expectRefused(jwksApi, '/api/orders', `${randomUUID()}.${randomUUID()}.${randomUUID()}`)
    // Local validation never asks the issuer: the session's end changes nothing until exp.
    await revoke(alice.accessToken)
    await expectAccepted(jwksApi, '/api/orders', alice.accessToken, alice.sub)
    await untilExpired(alice.exp)
    await expectRefused(jwksApi, '/api/orders', alice.accessToken)
    // mod_auth_openidc 2.4.12 says this part of it is superseded by mod_oauth2; it still works.
    expect(await apache?.errorLog()).toMatch(/OAuth 2.0 Resource Server functionality is deprecated/)
  })

  it('introspection: accepts an active token; refuses a tampered one, an expired one and one of a revoked session', async () => {
    // Three sessions of alice at once, so that one wait sees all their tokens expire.
    const [alice, other, late] = [await signIn(), await signIn(), await signIn()]
    await expectAccepted(introspectionApi, '/api/orders', alice.accessToken, alice.sub)
    await expectAccepted(introspectionApi, '/api-live/orders', alice.accessToken, alice.sub)
    await expectRefused(introspectionApi, '/api/orders', null)
    await expectRefused(introspectionApi, '/api/orders', tampered(alice.accessToken))

    // The session of `other` ends at the issuer before Apache has seen its token.
    await revoke(other.accessToken)
    await expectRefused(introspectionApi, '/api/orders', other.accessToken)
    // alice's session ends after Apache cached her token as active: the path that introspects
    // every time refuses it at once; the default one (the cache) only once it expires.
    await revoke(alice.accessToken)
    await expectRefused(introspectionApi, '/api-live/orders', alice.accessToken)
    await expectAccepted(introspectionApi, '/api/orders', alice.accessToken, alice.sub)
    await untilExpired(Math.max(alice.exp, late.exp))
    await expectRefused(introspectionApi, '/api/orders', alice.accessToken)
    // Expiry alone (a live session, a token Apache never saw): the issuer answers active: false.
    await expectRefused(introspectionApi, '/api/orders', late.accessToken)
  })
})
