// Auth.js (@auth/core, the framework-independent core) with the issuer as a custom OpenID Connect
// provider, configured as its docs show one: `{ id, name, type: 'oidc', issuer, clientId,
// clientSecret }`, nothing else. Its defaults then apply: discovery, scope `openid profile email`,
// checks `['pkce']` (RFC 7636), client_secret_basic, the profile from the ID token. A confidential
// client; Chromium clicks through Auth.js's own sign-in page and the issuer's login page.
import { randomBytes } from 'node:crypto'
import { Auth, type AuthConfig } from '@auth/core'
import { getRequestListener } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADA, ADA_CLAIMS } from './testing/ada.ts'
import { authorizationRequestOf, signInAtIssuer } from './testing/hosted-pages.ts'
import { verifyIdToken } from './testing/id-token.ts'
import { type InteropRig, openRig } from './testing/interop-rig.ts'

const CLIENT_ID = 'wiki'

let rig: InteropRig
/** What Auth.js handed its `signIn` event: the account (tokens) and the ID token's claims. */
const signIns: { idToken: string | undefined; profile: Record<string, unknown> | undefined }[] = []

beforeAll(async () => {
  rig = await openRig()
  // docs/oidc.md, "Auth.js": its callback is <origin>/auth/callback/<provider id>.
  const clientSecret = await rig.addClient(
    `${CLIENT_ID} --type confidential --name Wiki --first-party
     --grant authorization_code --grant refresh_token --scope openid --scope profile --scope email
     --redirect-uri ${rig.appOrigin}/auth/callback/tokensmith`,
  )
  expect(clientSecret).toMatch(/^cs_/)

  const authConfig: AuthConfig = {
    // AUTH_SECRET: Auth.js encrypts its session cookie (a JWT) with it.
    secret: randomBytes(32).toString('hex'),
    // Behind no proxy: the app's own Host header is its URL.
    trustHost: true,
    providers: [
      {
        id: 'tokensmith',
        name: 'tokensmith',
        type: 'oidc',
        issuer: rig.issuer.url,
        clientId: CLIENT_ID,
        clientSecret,
      },
    ],
    events: {
      signIn({ account, profile }) {
        signIns.push({ idToken: account?.id_token, profile })
      },
    },
  }
  // The app: Auth.js's REST API under /auth (its default basePath), a plain page elsewhere.
  const app = (request: Request) =>
    new URL(request.url).pathname.startsWith('/auth/')
      ? Auth(request, authConfig)
      : new Response('<!doctype html><title>Wiki</title><h1>Wiki</h1>', {
          headers: { 'content-type': 'text/html' },
        })
  await rig.start(getRequestListener(app))
}, 60_000)

afterAll(async () => {
  if (rig !== undefined) expect(await rig.close()).toEqual([])
})

describe('Auth.js with tokensmith as a custom OIDC provider (confidential client)', () => {
  it('signs in through the hosted login page; the session user has the name and email', async () => {
    const issuer = rig.issuer.url
    const appOrigin = rig.appOrigin
    const page = await rig.newPage()
    await page.goto(`${appOrigin}/auth/signin`)
    const asked = await authorizationRequestOf(page, issuer, () =>
      page.getByRole('button', { name: 'Sign in with tokensmith' }).click(),
    )
    expect(Object.fromEntries(asked)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${appOrigin}/auth/callback/tokensmith`,
      scope: 'openid profile email',
      code_challenge_method: 'S256',
    })
    await signInAtIssuer(page, issuer, ADA, { consent: false })
    await page.waitForURL(`${appOrigin}/`)

    const session = await (await page.request.get(`${appOrigin}/auth/session`)).json()
    expect(session.user).toEqual({ name: ADA.name, email: ADA.email })
    expect(Date.parse(session.expires)).toBeGreaterThan(Date.now())

    // What Auth.js accepted: an ID token signed by the issuer, for this client, with the profile.
    expect(signIns).toHaveLength(1)
    expect(signIns[0]?.profile).toMatchObject({ ...ADA_CLAIMS, iss: issuer, aud: CLIENT_ID })
    const idToken = await verifyIdToken(issuer, signIns[0]?.idToken ?? '', CLIENT_ID)
    expect(idToken).toMatchObject(ADA_CLAIMS)
  })
})
