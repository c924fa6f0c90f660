// oidc-client-ts 3 in Chromium: the single-page app of docs/oidc.md. The page (scripts/interop/spa/)
// is served from its own origin and talks to the issuer at another (another port), so discovery,
// the token endpoint and userinfo are all cross-origin calls that only CORS lets the page read.
// A public client: PKCE S256 (RFC 7636) sent by the library, no secret anywhere.
import type { Page, Request, Response } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADA, ADA_CLAIMS } from './testing/ada.ts'
import { authorizationRequestOf, showsLoginForm, signInAtIssuer } from './testing/hosted-pages.ts'
import { verifyIdToken } from './testing/id-token.ts'
import { type InteropRig, openRig } from './testing/interop-rig.ts'
import { spaServer } from './testing/spa-server.ts'

const CLIENT_ID = 'notes'

/** What the page's oidc-client-ts `User` holds (the fields the test reads). */
interface SpaUser {
  access_token: string
  refresh_token?: string
  id_token?: string
  token_type: string
  scope?: string
  profile: Record<string, unknown>
}

/** What app.js exposes on `window.notes`. */
interface NotesWindow {
  notes: {
    userManager: { getUser(): Promise<SpaUser | null>; signinSilent(): Promise<SpaUser | null> }
    userinfo(): Promise<{ status: number; body: Record<string, unknown> }>
  }
}

let rig: InteropRig
let page: Page
/** The page's calls to the issuer's token endpoint and their answers, in order. */
const tokenCalls: { request: Request; response: Response }[] = []

beforeAll(async () => {
  rig = await openRig()
  const spa = rig.appOrigin
  // docs/oidc.md, "oidc-client-ts": a third-party public client; its loopback redirect URI's
  // origin is the page's, which is what opens the token endpoint and userinfo to it (CORS).
  await rig.addClient(
    `${CLIENT_ID} --type public --name Notes --grant authorization_code --grant refresh_token
     --scope openid --scope profile --scope email
     --redirect-uri ${spa}/callback.html --post-logout-redirect-uri ${spa}/signed-out.html`,
  )
  await rig.start(spaServer({ issuer: rig.issuer.url, clientId: CLIENT_ID }))
  page = await rig.newPage()
  page.on('requestfinished', async (request) => {
    if (request.url() !== `${rig.issuer.url}/oauth/token`) return
    const response = await request.response()
    if (response !== null) tokenCalls.push({ request, response })
  })
}, 60_000)

afterAll(async () => {
  if (rig !== undefined) expect(await rig.close()).toEqual([])
})

const status = () => page.locator('#status').textContent()
const spaUser = () => page.evaluate(() => (globalThis as unknown as NotesWindow).notes.userManager.getUser())

/** The token endpoint answered the page's origin, and only it: CORS without wildcard or credentials. */
async function expectCorsFor(response: Response | undefined): Promise<void> {
  const headers = (await response?.allHeaders()) ?? {}
  expect(headers['access-control-allow-origin']).toBe(rig.appOrigin)
  expect(headers['access-control-allow-credentials']).toBeUndefined()
}

describe('oidc-client-ts UserManager in Chromium, cross-origin (OpenID Connect Core §3.1, RFC 7636)', () => {
  let signedIn: SpaUser

  it('signinRedirect, the hosted login and consent, signinCallback: the profile from the ID token', async () => {
    const issuer = rig.issuer.url
    await page.goto(`${rig.appOrigin}/`)
    await expect.poll(status).toBe('anonymous')
    const asked = await authorizationRequestOf(page, issuer, () => page.locator('#sign-in').click())
    // The library sent PKCE S256 and asked for offline_access, which the client is not registered for.
    expect(asked.get('code_challenge_method')).toBe('S256')
    expect(asked.get('scope')).toBe('openid profile email offline_access')
    await signInAtIssuer(page, issuer, ADA, { consent: true })
    await page.waitForURL((url) => url.origin === rig.appOrigin && url.pathname === '/callback.html')
    await expect.poll(status).toBe('signed in')

    const user = await spaUser()
    expect(user).not.toBeNull()
    signedIn = user as SpaUser
    // offline_access dropped, not refused (RFC 6749 §3.3); the refresh token comes with the grant.
    expect(signedIn.scope).toBe('openid profile email')
    expect(signedIn.refresh_token).toMatch(/^rt_/)
    expect(signedIn.token_type.toLowerCase()).toBe('bearer')
    expect(signedIn.profile).toMatchObject({ ...ADA_CLAIMS, iss: issuer, aud: CLIENT_ID })
    // oidc-client-ts does not check the signature: check it here, and the claims it carries.
    const idToken = await verifyIdToken(issuer, signedIn.id_token ?? '', CLIENT_ID)
    expect(idToken).toMatchObject({ ...ADA_CLAIMS, sub: signedIn.profile.sub })

    // The code was redeemed by the page itself: cross-origin, with the PKCE verifier, no secret.
    await expect.poll(() => tokenCalls.length).toBe(1)
    const sent = new URLSearchParams(tokenCalls[0]?.request.postData() ?? '')
    expect(sent.get('grant_type')).toBe('authorization_code')
    expect(sent.get('client_id')).toBe(CLIENT_ID)
    expect(sent.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/)
    expect(sent.has('client_secret')).toBe(false)
    expect(await tokenCalls[0]?.request.headerValue('origin')).toBe(rig.appOrigin)
    await expectCorsFor(tokenCalls[0]?.response)
  })

  it('signinSilent with the refresh token: a new access token and a rotated refresh token, cross-origin', async () => {
    const refreshed = await page.evaluate(() =>
      (globalThis as unknown as NotesWindow).notes.userManager.signinSilent(),
    )
    expect(refreshed?.access_token).toMatch(/^eyJ/)
    expect(refreshed?.access_token).not.toBe(signedIn.access_token)
    expect(refreshed?.refresh_token).toMatch(/^rt_/)
    expect(refreshed?.refresh_token).not.toBe(signedIn.refresh_token)
    expect(refreshed?.profile.sub).toBe(signedIn.profile.sub)
    await expect.poll(() => tokenCalls.length).toBe(2)
    expect(new URLSearchParams(tokenCalls[1]?.request.postData() ?? '').get('grant_type')).toBe(
      'refresh_token',
    )
    await expectCorsFor(tokenCalls[1]?.response)
  })

  it('calls userinfo from the page with the access token (a CORS preflight for Authorization)', async () => {
    const info = await page.evaluate(() => (globalThis as unknown as NotesWindow).notes.userinfo())
    expect(info).toEqual({
      status: 200,
      body: { sub: signedIn.profile.sub, ...ADA_CLAIMS, updated_at: expect.any(Number) },
    })
  })

  it('signoutRedirect ends the issuer session at once and comes back; the next sign-in shows the form', async () => {
    const issuer = rig.issuer.url
    const { refresh_token: refreshToken } = (await spaUser()) as SpaUser
    const logout = page.waitForRequest((r) => r.url().startsWith(`${issuer}/oauth/logout?`))
    await page.locator('#sign-out').click()
    const sent = new URL((await logout).url()).searchParams
    expect(sent.get('id_token_hint')).toBe(signedIn.id_token)
    expect(sent.get('post_logout_redirect_uri')).toBe(`${rig.appOrigin}/signed-out.html`)
    // No confirmation page: the hint is of this browser's login session (RP-Initiated Logout §2).
    await page.waitForURL((url) => url.origin === rig.appOrigin && url.pathname === '/signed-out.html')
    expect(new URL(page.url()).searchParams.get('state')).toBe(sent.get('state'))
    // signoutCallback checked the state it sent and dropped the user.
    await expect.poll(status).toBe('signed out')
    expect(await spaUser()).toBeNull()

    // The sessions the login session started ended with it: the refresh token is dead.
    const res = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken ?? '',
        client_id: CLIENT_ID,
      }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' })

    // And the browser is signed out at the issuer: a new sign-in asks for the password again.
    await page.locator('#sign-in').click()
    await page.waitForURL((url) => url.origin === issuer && url.pathname === '/oauth/authorize')
    await showsLoginForm(page)
  })
})
