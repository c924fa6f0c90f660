// express-openid-connect 3 (Auth0's Express middleware, on openid-client 6) with the settings its
// docs give for the authorization code flow: `authorizationParams: { response_type: 'code' }` and
// a `clientSecret`, the default scope `openid profile email`, and `idpLogout: true` so its
// /logout route ends the session at the issuer too (RP-Initiated Logout 1.0). A confidential
// client; the library sends PKCE S256 and a nonce of its own accord.
import { randomBytes } from 'node:crypto'
import express from 'express'
import { auth } from 'express-openid-connect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADA, ADA_CLAIMS } from './testing/ada.ts'
import { authorizationRequestOf, pageJson, showsLoginForm, signInAtIssuer } from './testing/hosted-pages.ts'
import { verifyIdToken } from './testing/id-token.ts'
import { type InteropRig, openRig } from './testing/interop-rig.ts'

const CLIENT_ID = 'handbook'

let rig: InteropRig
/** The ID token the app held at each request to its home page. */
const idTokens: string[] = []

beforeAll(async () => {
  rig = await openRig()
  const baseURL = rig.appOrigin
  // docs/oidc.md, "express-openid-connect": its callback is <baseURL>/callback, and its logout
  // comes back to baseURL itself (no path, no trailing slash).
  const clientSecret = await rig.addClient(
    `${CLIENT_ID} --type confidential --name Handbook --first-party
     --grant authorization_code --grant refresh_token --scope openid --scope profile --scope email
     --redirect-uri ${baseURL}/callback --post-logout-redirect-uri ${baseURL}`,
  )
  expect(clientSecret).toMatch(/^cs_/)

  const app = express()
  app.use(
    auth({
      issuerBaseURL: rig.issuer.url,
      baseURL,
      clientID: CLIENT_ID,
      clientSecret,
      // The library's own cookie: it encrypts its session with a key derived from this.
      secret: randomBytes(32).toString('hex'),
      idpLogout: true,
      authorizationParams: { response_type: 'code' },
    }),
  )
  // authRequired (the default): every route needs a login, so this page is reached signed in.
  app.get('/', (req, res) => {
    idTokens.push(req.oidc.idToken ?? '')
    res.json({ user: req.oidc.user })
  })
  await rig.start(app)
}, 60_000)

afterAll(async () => {
  if (rig !== undefined) expect(await rig.close()).toEqual([])
})

describe('express-openid-connect, authorization code flow (confidential client)', () => {
  it('logs in: req.oidc.user has the name and email; its /logout ends the issuer session', async () => {
    const issuer = rig.issuer.url
    const baseURL = rig.appOrigin
    const page = await rig.newPage()
    const asked = await authorizationRequestOf(page, issuer, () => page.goto(`${baseURL}/`))
    expect(Object.fromEntries(asked)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${baseURL}/callback`,
      scope: 'openid profile email',
      code_challenge_method: 'S256',
    })
    expect(asked.get('nonce')).toBeTruthy()
    await signInAtIssuer(page, issuer, ADA, { consent: false })
    await page.waitForURL(`${baseURL}/`)

    const { user } = (await pageJson(page)) as { user: Record<string, unknown> }
    expect(user).toMatchObject({ ...ADA_CLAIMS, sub: expect.any(String) })
    const idToken = await verifyIdToken(issuer, idTokens.at(-1) ?? '', CLIENT_ID)
    expect(idToken).toMatchObject({ ...ADA_CLAIMS, sub: user.sub, nonce: asked.get('nonce') })

    // Its logout: to the issuer with the ID token as hint, which signs out at once (the hint is
    // of this login session) and sends the browser back to baseURL.
    const endSession = page.waitForResponse((r) => r.url().startsWith(`${issuer}/oauth/logout?`))
    await page.goto(`${baseURL}/logout`)
    const out = await endSession
    const sent = new URL(out.url()).searchParams
    expect(sent.get('id_token_hint')).toBe(idTokens.at(-1))
    expect(sent.get('post_logout_redirect_uri')).toBe(baseURL)
    expect(out.status()).toBe(302)
    expect(new URL(out.headers().location ?? '').href).toBe(new URL(baseURL).href)
    // Back at the app, which still requires a login, and that now needs the password again: the
    // issuer's login session is over, not only the app's cookie.
    await showsLoginForm(page)
    expect(new URL(page.url()).origin).toBe(issuer)
  })
})
