// RP-Initiated Logout 1.0 §2: "the OP MUST ask the End-User whether to log out" when the request
// does not come from the browser's own login session. An ID token is not a secret that proves the
// browser holds the session: a link carrying someone's id_token_hint must not sign them out.
// And the hosted pages' cookies cannot be planted from a sibling domain (RFC 6265bis §4.1.3.2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BrowserSession, hiddenFieldsOf } from '../../testing/browser-session.ts'
import { OAUTH_USER } from '../../testing/oauth-test-issuer.ts'
import {
  createOidcTestIssuer,
  type OidcTestIssuer,
  PARTNER_LOGOUT_REDIRECT,
  SPA_REDIRECT,
} from '../../testing/oidc-test-issuer.ts'

const BOB = { username: 'bob', password: 'another long enough password' }

describe('logout asks unless the hint is of this login session', () => {
  let t: OidcTestIssuer
  beforeAll(async () => {
    t = await createOidcTestIssuer()
    await t.addUser(BOB.username, BOB.password)
  })
  afterAll(() => t?.cleanup())

  /** Signs `credentials` in through `spa` in browser `b`; its tokens and ID token. */
  const signIn = (b: BrowserSession, credentials = OAUTH_USER) =>
    t.tokensFor(b, { clientId: 'spa', redirectUri: SPA_REDIRECT }, credentials)
  const signedIn = async (b: BrowserSession) => {
    const { url } = t.authorizeUrl({ clientId: 'spa', redirectUri: SPA_REDIRECT, extra: { prompt: 'none' } })
    return new URL((await b.get(url)).headers.get('location') ?? '').searchParams.has('code')
  }
  const refreshes = async (refreshToken: string) =>
    (
      await t.form('/oauth/token', {
        grant_type: 'refresh_token',
        client_id: 'spa',
        refresh_token: refreshToken,
      })
    ).status === 200
  const logout = (b: BrowserSession, idToken: string) =>
    b.get(`/oauth/logout?${new URLSearchParams({ id_token_hint: idToken })}`)

  it('a browser with no session and the user ID token: a confirmation, and confirming ends nothing of the user', async () => {
    const victim = t.browser()
    const tokens = await signIn(victim)
    const attacker = t.browser()
    const res = await logout(attacker, tokens.id_token)
    expect(res.status).toBe(200)
    const page = await res.text()
    expect(page).toContain('Sign out?')
    expect(page).toContain('This browser is not signed in here.')
    const fields = hiddenFieldsOf(page)
    fields.set('confirm', 'yes')
    expect((await attacker.post('/oauth/logout', fields)).status).toBe(200)
    expect(await signedIn(victim)).toBe(true)
    const next = await t.form('/oauth/token', {
      grant_type: 'refresh_token',
      client_id: 'spa',
      refresh_token: tokens.refresh_token,
    })
    expect(next.status).toBe(200)
  })

  it('a browser signed in as someone else: confirming ends that browser session, not the user of the hint', async () => {
    const alice = t.browser()
    const aliceTokens = await signIn(alice)
    const bob = t.browser()
    const bobTokens = await signIn(bob, BOB)
    const page = await (await logout(bob, aliceTokens.id_token)).text()
    expect(page).toContain('Sign out?')
    expect(await signedIn(bob)).toBe(true)
    const fields = hiddenFieldsOf(page)
    fields.set('confirm', 'yes')
    await bob.post('/oauth/logout', fields)
    expect(await signedIn(bob)).toBe(false)
    expect(await refreshes(bobTokens.refresh_token)).toBe(false)
    expect(await signedIn(alice)).toBe(true)
    expect(await refreshes(aliceTokens.refresh_token)).toBe(true)
  })

  it('the same user in another browser: the hint of one login session does not end the other without asking', async () => {
    const first = t.browser()
    const firstTokens = await signIn(first)
    const second = t.browser()
    const secondTokens = await signIn(second)
    expect(await (await logout(second, firstTokens.id_token)).text()).toContain('Sign out?')
    expect(await signedIn(second)).toBe(true)
    // Its own hint ends it at once, and only it.
    const own = await logout(second, secondTokens.id_token)
    expect(await own.text()).toContain('You are signed out.')
    expect(await signedIn(second)).toBe(false)
    expect(await signedIn(first)).toBe(true)
    expect(await refreshes(firstTokens.refresh_token)).toBe(true)
  })

  it('a confirmation without the csrf field is refused and ends nothing', async () => {
    const b = t.browser()
    await signIn(b)
    const page = await (await b.get('/oauth/logout')).text()
    const fields = hiddenFieldsOf(page)
    fields.delete('csrf')
    fields.set('confirm', 'yes')
    expect((await b.post('/oauth/logout', fields)).status).toBe(403)
    expect(await signedIn(b)).toBe(true)
  })

  it('redirects only to a URI registered for the client the hint or client_id names', async () => {
    const b = t.browser()
    await signIn(b)
    const res = await b.get(
      `/oauth/logout?${new URLSearchParams({ client_id: 'partner', post_logout_redirect_uri: PARTNER_LOGOUT_REDIRECT })}`,
    )
    expect(res.status).toBe(200)
    const noClient = await b.get(
      `/oauth/logout?${new URLSearchParams({ post_logout_redirect_uri: PARTNER_LOGOUT_REDIRECT })}`,
    )
    expect(noClient.status).toBe(400)
    expect(noClient.headers.get('location')).toBeNull()
  })
})

describe('cookies of the hosted pages', () => {
  it('use the __Host- prefix (Path=/, Secure, no Domain) when Secure, and the flow works with them', async () => {
    const t = await createOidcTestIssuer({ COOKIE_SECURE: 'true' })
    try {
      const b = t.browser()
      const { url } = t.authorizeUrl({ clientId: 'spa', redirectUri: SPA_REDIRECT })
      const first = await b.get(url)
      const csrf = first.headers.getSetCookie().find((c) => c.startsWith('__Host-tokensmith_csrf='))
      expect(csrf).toMatch(/; Path=\/(;|$)/)
      expect(csrf).toMatch(/; Secure/)
      expect(csrf).toMatch(/; HttpOnly/)
      expect(csrf).toMatch(/; SameSite=Strict/)
      expect(csrf).not.toMatch(/Domain=/i)
      const fields = hiddenFieldsOf(await first.text())
      fields.set('username', OAUTH_USER.username)
      fields.set('password', OAUTH_USER.password)
      const signed = await b.post('/oauth/authorize', fields)
      const login = signed.headers.getSetCookie().find((c) => c.startsWith('__Host-tokensmith_login='))
      expect(login).toMatch(/; Path=\/(;|$)/)
      expect(login).toMatch(/; Secure/)
      expect(login).not.toMatch(/Domain=/i)
      expect(new URL(signed.headers.get('location') ?? '').searchParams.has('code')).toBe(true)
      // A cookie without the prefix, as a sibling domain could plant, is not the login session.
      const planted = t.browser()
      planted.cookies.set(
        'tokensmith_login',
        [...b.cookies].find(([k]) => k === '__Host-tokensmith_login')?.[1] ?? '',
      )
      const { url: again } = t.authorizeUrl({
        clientId: 'spa',
        redirectUri: SPA_REDIRECT,
        extra: { prompt: 'none' },
      })
      const res = await planted.get(again)
      expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe('login_required')
    } finally {
      await t.cleanup()
    }
  })
})
