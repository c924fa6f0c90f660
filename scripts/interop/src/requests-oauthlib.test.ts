// requests-oauthlib (Debian's python3-requests-oauthlib) as a confidential web application,
// its documented "Web Application Flow" unchanged: no PKCE (it sends none; the issuer's default
// policy lets a confidential client's OpenID Connect request omit it), the secret at the token
// endpoint, userinfo with the token. The script is python/requests_oauthlib_flow.py; this test
// plays the browser and checks the ID token the library does not look at.
import type { JsonWebKey } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addClient, addUser } from './testing/admin-cli.ts'
import { runPythonFlow } from './testing/python-flow.ts'
import { startTlsIssuer, type TlsIssuer } from './testing/tls-issuer.ts'
import { verifyRs256 } from './testing/verify-rs256.ts'

const USER = { username: 'alice', password: 'correct horse battery staple' }
const CLIENT_ID = 'py-webapp'
const REDIRECT_URI = 'https://webapp.example/callback'
let issuer: TlsIssuer | undefined
let secret = ''

beforeAll(async () => {
  issuer = await startTlsIssuer({
    prepare: async ({ databaseUrl }) => {
      await addUser(
        databaseUrl,
        `${USER.username} --role user --email alice@example.com --name "Alice Liddell"`,
        USER.password,
      )
      secret = await addClient(
        databaseUrl,
        `${CLIENT_ID} --type confidential --name "Python web app" --grant authorization_code --grant refresh_token --scope openid --scope profile --scope email --redirect-uri ${REDIRECT_URI}`,
      )
    },
  })
})

afterAll(async () => {
  const leaked = (await issuer?.stop([USER.password, secret])) ?? []
  expect(leaked).toEqual([])
})

describe('requests-oauthlib OAuth2Session, web application flow', () => {
  it('authorization_url, fetch_token with the client secret, userinfo; no PKCE', async () => {
    if (issuer === undefined) throw new Error('not started')
    const tls = issuer
    let callback: URL | undefined
    const { authorizationUrl, result } = await runPythonFlow({
      script: 'requests_oauthlib_flow.py',
      env: {
        ISSUER: tls.url,
        CLIENT_ID,
        CLIENT_SECRET: secret,
        REDIRECT_URI,
        REQUESTS_CA_BUNDLE: tls.tls.caFile,
      },
      browse: async (url) => {
        callback = await tls.signIn(url, USER)
        return callback.href
      },
    })

    const asked = Object.fromEntries(new URL(authorizationUrl).searchParams)
    expect(asked).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
    })
    expect(asked.code_challenge).toBeUndefined()
    expect(callback?.searchParams.get('state')).toBe(result.state_sent)
    expect(callback?.searchParams.get('iss')).toBe(tls.url)

    expect(result.token).toMatchObject({ token_type: 'Bearer', scope: ['openid', 'profile', 'email'] })
    const jwks = (await (await tls.fetch(`${tls.url}/.well-known/jwks.json`)).json()) as {
      keys: JsonWebKey[]
    }
    const idToken = verifyRs256(String(result.id_token), jwks)
    expect(idToken).toMatchObject({ iss: tls.url, aud: CLIENT_ID })
    expect(idToken.exp).toBeGreaterThan(Date.now() / 1000)
    expect(result.userinfo).toEqual(
      expect.objectContaining({
        sub: idToken.sub,
        preferred_username: USER.username,
        email: 'alice@example.com',
        name: 'Alice Liddell',
      }),
    )
  })
})
