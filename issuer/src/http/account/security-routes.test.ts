// `/account/security` in process (app.request, SQLite, the test clock), issue 21: the signed-in
// user's second factors behind the browser's login session, each change a form with the
// anti-CSRF token and a sign-in no older than five minutes ("Confirm it is you"); TOTP set-up
// (RFC 6238) with ten recovery codes, regenerating them, passkeys (WebAuthn Level 3, a software
// authenticator), and every change ending the user's other sessions but not this one.
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MFA_ACR } from '../../core/authorization/acr-values.ts'
import { BAD_CREDENTIALS } from '../../core/login/create-login.ts'
import { type BrowserSession, hiddenFieldsOf } from '../../testing/browser-session.ts'
import { createOidcTestIssuer, type OidcTestIssuer, SPA_REDIRECT } from '../../testing/oidc-test-issuer.ts'
import { createSoftwareAuthenticator } from '../../testing/software-authenticator.ts'
import { TEST_ISSUER_URL } from '../../testing/test-issuer.ts'
import { totpCodeAt } from '../../testing/totp-code-at.ts'

const PASSWORD = 'security-routes-pass-77'
const PATH = '/account/security'
const spa = { clientId: 'spa', redirectUri: SPA_REDIRECT }

let t: OidcTestIssuer
let users = 0

beforeAll(async () => {
  t = await createOidcTestIssuer()
})
afterAll(async () => {
  await t.cleanup()
})

async function newUser(): Promise<{ username: string; userId: string }> {
  const username = `sec${++users}`
  return { username, userId: await t.addUser(username, PASSWORD) }
}

/** Signs in on the security page's own form; answers the page that follows. */
async function signIn(b: BrowserSession, username: string): Promise<string> {
  const login = await (await b.get(PATH)).text()
  const fields = hiddenFieldsOf(login)
  fields.set('username', username)
  fields.set('password', PASSWORD)
  const res = await b.post(`${PATH}/sign-in`, fields)
  expect(res.status).toBe(303)
  expect(res.headers.get('location')).toBe(PATH)
  return (await b.get(PATH)).text()
}

const csrfOf = (page: string) => hiddenFieldsOf(page).get('csrf') ?? ''

/** Posts one change with the page's csrf token; answers the status and the page. */
async function change(
  b: BrowserSession,
  page: string,
  action: string,
  fields: Record<string, string> = {},
): Promise<{ status: number; page: string }> {
  const res = await b.post(PATH, { csrf: csrfOf(page), action, ...fields })
  return { status: res.status, page: await res.text() }
}

/** TOTP set up from the page: the secret and the ten recovery codes shown. */
async function setUpTotp(b: BrowserSession, page: string): Promise<{ secret: string; codes: string[] }> {
  const setup = await change(b, page, 'totp-begin')
  expect(setup.page).toContain('<h1>Set up an authenticator app</h1>')
  expect(setup.page).toMatch(/<figure class="qr"><svg/)
  const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(setup.page)?.[1] ?? ''
  const done = await change(b, setup.page, 'totp-confirm', { otp: await totpCodeAt(secret, t.now.ms) })
  expect(done.status).toBe(200)
  expect(done.page).toContain('The authenticator app is on.')
  const codes = codesOf(done.page)
  // The confirming code is spent: a sign-in afterwards uses the next step's.
  t.advance(30_000)
  return { secret, codes }
}

const codesOf = (page: string) =>
  [...page.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1] as string)

/** A sign-in at /oauth/authorize in a new browser up to the second page; answers that page. */
async function secondPageAt(
  username: string,
): Promise<{ b: BrowserSession; page: string; verifier: string }> {
  const b = t.browser()
  const { url, verifier } = t.authorizeUrl(spa)
  const fields = hiddenFieldsOf(await (await b.get(url)).text())
  fields.set('username', username)
  fields.set('password', PASSWORD)
  const res = await b.post('/oauth/authorize', fields)
  expect(res.status).toBe(200)
  const page = await res.text()
  expect(page).toContain('name="mfa_token"')
  return { b, page, verifier }
}

describe('/account/security behind the login session', () => {
  it('without a login session it is a sign-in form posting to /account/security/sign-in', async () => {
    const b = t.browser()
    const res = await b.get(PATH)
    expect(res.status).toBe(200)
    const page = await res.text()
    expect(page).toContain(`<form method="post" action="${PATH}/sign-in">`)
    expect(page).toContain('name="password"')
    expect(page).not.toContain('Sign-in security')
    // A change without a session is that form again, nothing changed.
    const blind = await b.post(PATH, { csrf: csrfOf(page), action: 'totp-begin' })
    expect(await blind.text()).toContain(`action="${PATH}/sign-in"`)
  })

  it('a wrong password on its sign-in form is refused with the /auth/login words', async () => {
    const b = t.browser()
    const { username } = await newUser()
    const fields = hiddenFieldsOf(await (await b.get(PATH)).text())
    fields.set('username', username)
    fields.set('password', 'not it')
    const res = await b.post(`${PATH}/sign-in`, fields)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain(BAD_CREDENTIALS)
    expect((await (await b.get(PATH)).text()).includes('Sign-in security')).toBe(false)
  })

  it('after signing in it lists the factors', async () => {
    const b = t.browser()
    const { username } = await newUser()
    const page = await signIn(b, username)
    expect(page).toContain('<h1>Sign-in security</h1>')
    expect(page).toContain(`Signed in as ${username}.`)
    expect(page).toContain('<p id="totp-status">Off.</p>')
    expect(page).toContain('No passkeys yet.')
    expect(page).toContain('<p id="recovery-status">0 left.</p>')
  })

  it('every post needs the csrf field: 403 without it or with another, and nothing changes', async () => {
    const b = t.browser()
    const { username, userId } = await newUser()
    const page = await signIn(b, username)
    expect((await b.post(PATH, { action: 'totp-begin' })).status).toBe(403)
    expect((await b.post(PATH, { action: 'recovery-regenerate', csrf: 'x'.repeat(43) })).status).toBe(403)
    // Another browser's token does not fit this browser's cookie.
    const otherPage = await (await t.browser().get(PATH)).text()
    expect((await b.post(PATH, { action: 'recovery-regenerate', csrf: csrfOf(otherPage) })).status).toBe(403)
    const login = hiddenFieldsOf(await (await t.browser().get(PATH)).text())
    login.delete('csrf')
    login.set('username', username)
    login.set('password', PASSWORD)
    expect((await t.browser().post(`${PATH}/sign-in`, login)).status).toBe(403)
    expect((await b.post(`${PATH}/passkeys/options`, {})).status).toBe(403)
    expect(await t.mfa.factorsOf(userId)).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 })
    // With it, the same change goes through.
    expect((await change(b, page, 'recovery-regenerate')).status).toBe(200)
    expect((await t.mfa.factorsOf(userId)).recoveryCodesLeft).toBe(10)
  })

  it('a change after five minutes asks "Confirm it is you": a wrong password is refused, the right one lets it through', async () => {
    const b = t.browser()
    const { username, userId } = await newUser()
    await signIn(b, username)
    t.advance(5 * 60_000 + 1000)
    const page = await (await b.get(PATH)).text()
    const stale = await change(b, page, 'totp-begin')
    expect(stale.status).toBe(200)
    expect(stale.page).toContain('<h1>Confirm it is you</h1>')
    expect(stale.page).toContain('Confirm it is you to make this change.')
    expect(stale.page).not.toContain('id="totp-secret"')

    const wrong = await change(b, stale.page, 'reauth', { password: 'not it' })
    expect(wrong.page).toContain('<p role="alert" id="security-notice">')
    expect(wrong.page).toContain(BAD_CREDENTIALS)
    // Still not fresh: the change is still refused.
    expect((await change(b, wrong.page, 'totp-begin')).page).toContain('<h1>Confirm it is you</h1>')

    const ok = await change(b, wrong.page, 'reauth', { password: PASSWORD })
    expect(ok.page).toContain('Confirmed. Make your change now.')
    const setup = await change(b, ok.page, 'totp-begin')
    expect(setup.page).toContain('id="totp-secret"')
    // Confirming let the change through; nothing was turned on by the refused attempts.
    expect((await t.mfa.factorsOf(userId)).totp).toBe(false)
  })
})

describe('TOTP and recovery codes on the page', () => {
  it('sets up TOTP (ten recovery codes shown); the next sign-in asks for the code; turns it off', async () => {
    const b = t.browser()
    const { username, userId } = await newUser()
    const page = await signIn(b, username)
    // A wrong first code re-renders the set-up with the refusal and the same secret: what the
    // user scanned stays good.
    const setup = await change(b, page, 'totp-begin')
    const wrong = await change(b, setup.page, 'totp-confirm', { otp: '000000' })
    expect(wrong.status).toBe(200)
    expect(wrong.page).toContain('<h1>Set up an authenticator app</h1>')
    expect(wrong.page).toContain('The code does not match')
    const secretOf = (html: string) => /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(html)?.[1]
    expect(secretOf(wrong.page)).toBe(secretOf(setup.page))
    expect((await t.mfa.factorsOf(userId)).totp).toBe(false)

    const { secret, codes } = await setUpTotp(b, wrong.page)
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    const after = await (await b.get(PATH)).text()
    expect(after).toContain('<p id="totp-status">On: sign-in asks for a code from your app.</p>')
    expect(after).toContain('<p id="recovery-status">10 left.</p>')

    const { b: other, page: second, verifier } = await secondPageAt(username)
    const fields = hiddenFieldsOf(second)
    fields.set('otp', await totpCodeAt(secret, t.now.ms))
    const done = await other.post('/oauth/authorize', fields)
    const code = new URL(done.headers.get('location') ?? '').searchParams.get('code') ?? ''
    const tokens = await t.form('/oauth/token', {
      grant_type: 'authorization_code',
      client_id: 'spa',
      code,
      code_verifier: verifier,
      redirect_uri: SPA_REDIRECT,
    })
    expect(decodeJwt(((await tokens.json()) as { id_token: string }).id_token).acr).toBe(MFA_ACR)

    const off = await change(b, after, 'totp-remove')
    expect(off.page).toContain('The authenticator app is off.')
    expect(off.page).toContain('<p id="totp-status">Off.</p>')
    // With no factor left the recovery codes went too.
    expect(off.page).toContain('<p id="recovery-status">0 left.</p>')
    expect(await t.mfa.secondFactors(userId)).toEqual([])
  })

  it('regenerating the recovery codes replaces the set: an old code is refused at sign-in, a new one works', async () => {
    const b = t.browser()
    const { username } = await newUser()
    const page = await signIn(b, username)
    const { codes: old } = await setUpTotp(b, page)
    const regenerated = await change(b, await (await b.get(PATH)).text(), 'recovery-regenerate')
    const fresh = codesOf(regenerated.page)
    expect(fresh).toHaveLength(10)
    expect(fresh.filter((c) => old.includes(c))).toEqual([])

    const { b: other, page: second } = await secondPageAt(username)
    const withOld = hiddenFieldsOf(second)
    withOld.set('recovery_code', old[0] as string)
    const refused = await other.post('/oauth/authorize', withOld)
    expect(refused.status).toBe(200)
    expect(await refused.text()).toContain('The code is incorrect.')
    const withNew = hiddenFieldsOf(second)
    withNew.set('recovery_code', fresh[0] as string)
    const done = await other.post('/oauth/authorize', withNew)
    expect(done.status).toBe(303)
    expect(new URL(done.headers.get('location') ?? '').searchParams.get('code')).not.toBeNull()
    expect(await (await b.get(PATH)).text()).toContain('<p id="recovery-status">9 left.</p>')
  })
})

describe('passkeys on the page (WebAuthn Level 3, a software authenticator)', () => {
  it('adds one, lists it by name, renames and removes it', async () => {
    const b = t.browser()
    const { username, userId } = await newUser()
    const page = await signIn(b, username)
    const authenticator = createSoftwareAuthenticator({ origin: TEST_ISSUER_URL })
    const optionsRes = await b.post(`${PATH}/passkeys/options`, { csrf: csrfOf(page) })
    expect(optionsRes.status).toBe(200)
    const { challengeId, options } = (await optionsRes.json()) as {
      challengeId: string
      options: PublicKeyCredentialCreationOptionsJSON
    }
    const added = await change(b, page, 'passkey-add', {
      name: '  Work laptop ',
      passkey_challenge: challengeId,
      passkey_response: JSON.stringify(authenticator.create(options)),
    })
    expect(added.page).toContain('The passkey was added.')
    expect(added.page).toMatch(/<ul id="passkeys">\s*<li>Work laptop <small>added 2026-06-01<\/small>/)
    expect(await t.mfa.secondFactors(userId)).toContain('passkey')
    const id = authenticator.credentialId
    expect(added.page).toContain(`<input type="hidden" name="id" value="${id}">`)

    const renamed = await change(b, added.page, 'passkey-rename', { id, name: 'Phone' })
    expect(renamed.page).toContain('The passkey was renamed.')
    expect(renamed.page).toContain('<li>Phone <small>')
    const unknown = await change(b, renamed.page, 'passkey-rename', { id: 'nope', name: 'X' })
    expect(unknown.page).toContain('No such passkey.')

    const removed = await change(b, renamed.page, 'passkey-remove', { id })
    expect(removed.page).toContain('The passkey was removed.')
    expect(removed.page).toContain('No passkeys yet.')
    expect(await t.mfa.secondFactors(userId)).not.toContain('passkey')
  })
})

describe('a factor change ends the other sessions (issue 21 "Abuse")', () => {
  it('a refresh token from another login is refused afterwards; this browser stays signed in', async () => {
    const b = t.browser()
    const { username } = await newUser()
    const otherLogin = await t.request('/auth/login', {
      method: 'POST',
      json: { username, password: PASSWORD },
    })
    const { refreshToken } = (await otherLogin.json()) as { refreshToken: string }
    const page = await signIn(b, username)
    const before = await t.request('/auth/refresh', { method: 'POST', json: { refreshToken } })
    expect(before.status).toBe(200)
    const { refreshToken: rotated } = (await before.json()) as { refreshToken: string }

    await setUpTotp(b, page)
    const after = await t.request('/auth/refresh', { method: 'POST', json: { refreshToken: rotated } })
    expect(after.status).toBe(401)
    // This browser's login session is kept: the page, and single sign-on at /oauth/authorize.
    expect(await (await b.get(PATH)).text()).toContain('<h1>Sign-in security</h1>')
    const { url } = t.authorizeUrl({ ...spa, extra: { prompt: 'none' } })
    const sso = await b.get(url)
    expect(new URL(sso.headers.get('location') ?? '').searchParams.get('code')).not.toBeNull()
  })
})
