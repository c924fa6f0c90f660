// The hosted second step end to end in process (app.request, SQLite, the test clock), issue 21:
// after the password, an account with a factor gets a second page (a code from the app, a
// recovery code) before any code is issued; the code's tokens say how the user signed in
// (`amr`, RFC 8176; `acr`, OpenID Connect Core §2); `acr_values` and an essential `acr` claim
// (§3.1.2.1, §5.5.1.1) step a login session up, or fail as `interaction_required` (§3.1.2.6) and
// `unmet_authentication_requirements`; `MFA=required` enrols before the first code (the
// authorize side of RFC 9470's step-up).
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MFA_ACR, PASSWORD_ACR, PHISHING_RESISTANT_ACR } from '../../core/authorization/acr-values.ts'
import { type BrowserSession, hiddenFieldsOf } from '../../testing/browser-session.ts'
import { createOidcTestIssuer, type OidcTestIssuer, SPA_REDIRECT } from '../../testing/oidc-test-issuer.ts'
import { totpCodeAt } from '../../testing/totp-code-at.ts'

const PASSWORD = 'second-step-flow-pass-42'
const WRONG_CODE = 'The code is incorrect.'
const EXPIRED = 'This sign-in has expired or was already finished. Start again.'
const spa = { clientId: 'spa', redirectUri: SPA_REDIRECT }

let t: OidcTestIssuer
let users = 0

beforeAll(async () => {
  t = await createOidcTestIssuer()
})
afterAll(async () => {
  await t.cleanup()
})

/** A new user with the password alone. */
async function newUser(issuer: OidcTestIssuer = t): Promise<{ username: string; userId: string }> {
  const username = `user${++users}`
  return { username, userId: await issuer.addUser(username, PASSWORD) }
}

/** TOTP enrolment through the JSON API (as mfa-flow.test.ts): the secret and the recovery codes. */
async function enrolTotp(
  issuer: OidcTestIssuer,
  username: string,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const login = await issuer.request('/auth/login', {
    method: 'POST',
    json: { username, password: PASSWORD, scope: 'account' },
  })
  expect(login.status).toBe(200)
  const auth = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` }
  const begun = await issuer.request('/auth/mfa/totp', { method: 'POST', json: {}, headers: auth })
  const { secret } = (await begun.json()) as { secret: string }
  const confirmed = await issuer.request('/auth/mfa/totp/confirm', {
    method: 'POST',
    json: { otp: await totpCodeAt(secret, issuer.now.ms) },
    headers: auth,
  })
  expect(confirmed.status).toBe(200)
  const { recoveryCodes } = (await confirmed.json()) as { recoveryCodes: string[] }
  // The confirming code is spent: the next one a sign-in uses is of the next time step.
  issuer.advance(30_000)
  return { secret, recoveryCodes }
}

/** The login page of a new authorization request, then the password posted on it. */
async function afterPassword(
  b: BrowserSession,
  username: string,
  extra: Record<string, string> = {},
  issuer: OidcTestIssuer = t,
): Promise<{ res: Response; verifier: string }> {
  const { url, verifier } = issuer.authorizeUrl({ ...spa, state: 'st', extra })
  const login = await b.get(url)
  expect(login.status).toBe(200)
  const fields = hiddenFieldsOf(await login.text())
  fields.set('username', username)
  fields.set('password', PASSWORD)
  return { res: await b.post('/oauth/authorize', fields), verifier }
}

/** The second page's hidden fields with one answer in place of the `otp` field. */
function answer(page: string, field: 'otp' | 'recovery_code', value: string): URLSearchParams {
  const fields = hiddenFieldsOf(page)
  fields.set(field, value)
  return fields
}

function locationOf(res: Response): URL {
  const loc = res.headers.get('location')
  if (loc === null) throw new Error(`no redirect: ${res.status}`)
  return new URL(loc)
}

/** The code of the redirect back redeemed: the ID token's claims. */
async function idTokenOf(
  res: Response,
  verifier: string,
  issuer: OidcTestIssuer = t,
): Promise<Record<string, unknown>> {
  expect(res.status).toBe(303)
  const location = locationOf(res)
  expect(location.origin + location.pathname).toBe(SPA_REDIRECT)
  const code = location.searchParams.get('code')
  expect(code, String(location)).not.toBeNull()
  const redeemed = await issuer.form('/oauth/token', {
    grant_type: 'authorization_code',
    client_id: 'spa',
    code: code as string,
    code_verifier: verifier,
    redirect_uri: SPA_REDIRECT,
  })
  expect(redeemed.status).toBe(200)
  return decodeJwt(((await redeemed.json()) as { id_token: string }).id_token)
}

function expectSecondPage(page: string) {
  expect(page).toContain('<h1>Confirm it is you to continue to Single Page</h1>')
  expect(page).toMatch(/<input type="hidden" name="mfa_token" value="[A-Za-z0-9_-]{43}">/)
  expect(page).toContain('name="otp"')
  expect(page).toContain('name="recovery_code"')
  expect(page).not.toContain('name="password"')
}

describe('the second page after the password (issue 21; OpenID Connect Core §3.1.2.3)', () => {
  it('asks for the second step instead of redirecting with a code; the right code gives mfa tokens', async () => {
    const b = t.browser()
    const { username } = await newUser()
    const { secret } = await enrolTotp(t, username)
    const { res, verifier } = await afterPassword(b, username)
    expect(res.status).toBe(200)
    expect(res.headers.get('location')).toBeNull()
    const page = await res.text()
    expectSecondPage(page)
    // No login session yet: the password alone did not sign in.
    expect([...b.cookies.keys()].some((k) => k.includes('login'))).toBe(false)

    const done = await b.post('/oauth/authorize', answer(page, 'otp', await totpCodeAt(secret, t.now.ms)))
    expect(locationOf(done).searchParams.get('state')).toBe('st')
    const claims = await idTokenOf(done, verifier)
    expect(claims.acr).toBe(MFA_ACR)
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa'])
    expect(claims.auth_time).toBe(Math.floor(t.now.ms / 1000))
  })

  it('a wrong code re-renders the second page with the one message and the same ticket', async () => {
    const b = t.browser()
    const { username } = await newUser()
    const { secret } = await enrolTotp(t, username)
    const { res, verifier } = await afterPassword(b, username)
    const page = await res.text()
    const ticket = hiddenFieldsOf(page).get('mfa_token')
    const wrong = await b.post('/oauth/authorize', answer(page, 'otp', '000000'))
    expect(wrong.status).toBe(200)
    const again = await wrong.text()
    expect(again).toContain(`<p role="alert" id="step-problem">${WRONG_CODE}</p>`)
    expect(again).toMatch(/name="otp"[^>]*aria-invalid="true"/)
    expect(hiddenFieldsOf(again).get('mfa_token')).toBe(ticket)
    // An unknown recovery code gets the same words.
    const wrongRecovery = await b.post('/oauth/authorize', answer(again, 'recovery_code', 'aaaa-bbbb'))
    expect(await wrongRecovery.text()).toContain(`<p role="alert" id="step-problem">${WRONG_CODE}</p>`)
    const done = await b.post('/oauth/authorize', answer(again, 'otp', await totpCodeAt(secret, t.now.ms)))
    expect((await idTokenOf(done, verifier)).acr).toBe(MFA_ACR)
  })

  it('a recovery code signs in once; the same code on a later sign-in is refused', async () => {
    const { username } = await newUser()
    const { recoveryCodes } = await enrolTotp(t, username)
    const code = recoveryCodes[0] as string
    const b0 = t.browser()
    const first = await afterPassword(b0, username)
    const b1 = t.browser()
    const one = await afterPassword(b1, username)
    const page = await one.res.text()
    const done = await b1.post('/oauth/authorize', answer(page, 'recovery_code', code))
    const claims = await idTokenOf(done, one.verifier)
    // RFC 8176 has no value for a recovery code: it is a one-time code.
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa'])
    expect(claims.acr).toBe(MFA_ACR)

    const b2 = t.browser()
    const two = await afterPassword(b2, username)
    const reused = await b2.post('/oauth/authorize', answer(await two.res.text(), 'recovery_code', code))
    expect(reused.status).toBe(200)
    expect(await reused.text()).toContain(WRONG_CODE)
    // A half-done sign-in started before the code was used cannot use it either.
    const stale = await b0.post('/oauth/authorize', answer(await first.res.text(), 'recovery_code', code))
    expect(stale.status).toBe(200)
    expect(await stale.text()).toContain(`<p role="alert" id="step-problem">${WRONG_CODE}</p>`)
  })

  it('the same mfa_token cannot finish a sign-in twice', async () => {
    const b = t.browser()
    const { username } = await newUser()
    const { secret } = await enrolTotp(t, username)
    const { res } = await afterPassword(b, username)
    const page = await res.text()
    const done = await b.post('/oauth/authorize', answer(page, 'otp', await totpCodeAt(secret, t.now.ms)))
    expect(done.status).toBe(303)
    // A fresh, right code on the finished ticket (the page posted again).
    t.advance(30_000)
    const replay = await b.post('/oauth/authorize', answer(page, 'otp', await totpCodeAt(secret, t.now.ms)))
    expect(replay.status).toBe(200)
    const again = await replay.text()
    expect(again).toContain(`<p role="alert" id="login-problem">${EXPIRED}</p>`)
    expect(again).toContain('name="password"')
    expect(replay.headers.get('location')).toBeNull()
  })

  it('the second step expires five minutes after the password: back to the login page', async () => {
    const b = t.browser()
    const { username } = await newUser()
    const { secret } = await enrolTotp(t, username)
    const { res } = await afterPassword(b, username)
    const page = await res.text()
    t.advance(5 * 60_000 + 1000)
    const late = await b.post('/oauth/authorize', answer(page, 'otp', await totpCodeAt(secret, t.now.ms)))
    expect(late.status).toBe(200)
    const again = await late.text()
    expect(again).toContain(`<p role="alert" id="login-problem">${EXPIRED}</p>`)
    expect(again).toContain('name="password"')
    // Signing in again works with the same code (it was not spent by the expired ticket).
    const fields = hiddenFieldsOf(again)
    fields.set('username', username)
    fields.set('password', PASSWORD)
    const second = await (await b.post('/oauth/authorize', fields)).text()
    expectSecondPage(second)
    const done = await b.post('/oauth/authorize', answer(second, 'otp', await totpCodeAt(secret, t.now.ms)))
    expect(done.status).toBe(303)
    expect(locationOf(done).searchParams.get('code')).not.toBeNull()
  })
})

describe('wrong codes count in the login limiter with the passwords (issue 21 "Abuse")', () => {
  it('enough wrong codes lock the account: 429 with Retry-After, even for the right code', async () => {
    const limited = await createOidcTestIssuer({
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '1000',
    })
    try {
      const { username } = await newUser(limited)
      const { secret } = await enrolTotp(limited, username)
      const b = limited.browser()
      const { res } = await afterPassword(b, username, {}, limited)
      let page = await res.text()
      expectSecondPage(page)
      const statuses: number[] = []
      let locked: Response | null = null
      for (let i = 0; i < 4; i++) {
        const r = await b.post('/oauth/authorize', answer(page, 'otp', `00000${i}`))
        statuses.push(r.status)
        if (r.status === 429) locked = r
        page = await r.text()
      }
      expect(statuses).toEqual([200, 200, 429, 429])
      expect(Number(locked?.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(page).toContain('name="mfa_token"')
      const right = await b.post(
        '/oauth/authorize',
        answer(page, 'otp', await totpCodeAt(secret, limited.now.ms)),
      )
      expect(right.status).toBe(429)
      expect(right.headers.get('location')).toBeNull()
    } finally {
      await limited.cleanup()
    }
  })
})

describe('step-up of a login session (OpenID Connect Core §3.1.2.1 acr_values, RFC 9470)', () => {
  it('a password-only session asking for mfa gets the second page alone, and the session is raised', async () => {
    const b = t.browser()
    const { username } = await newUser()
    // Signed in with the password alone, then TOTP set up on the security page in this browser.
    const before = await t.tokensFor(b, spa, { username, password: PASSWORD })
    expect(decodeJwt(before.id_token).acr).toBe(PASSWORD_ACR)
    const security = await (await b.get('/account/security')).text()
    const setup = await (
      await b.post('/account/security', {
        csrf: hiddenFieldsOf(security).get('csrf') ?? '',
        action: 'totp-begin',
      })
    ).text()
    const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(setup)?.[1] ?? ''
    const confirmed = await b.post('/account/security', {
      csrf: hiddenFieldsOf(setup).get('csrf') ?? '',
      action: 'totp-confirm',
      otp: await totpCodeAt(secret, t.now.ms),
    })
    expect(await confirmed.text()).toContain('id="recovery-codes"')
    t.advance(30_000)

    // Without acr_values, the session goes on as it is (password).
    const plain = await t.tokensFor(b, spa, { username, password: PASSWORD })
    expect(decodeJwt(plain.id_token).acr).toBe(PASSWORD_ACR)

    const { url, verifier } = t.authorizeUrl({ ...spa, state: 'up', extra: { acr_values: MFA_ACR } })
    const res = await b.get(url)
    expect(res.status).toBe(200)
    const page = await res.text()
    expectSecondPage(page)
    t.advance(10_000)
    const done = await b.post('/oauth/authorize', answer(page, 'otp', await totpCodeAt(secret, t.now.ms)))
    const claims = await idTokenOf(done, verifier)
    expect(claims).toMatchObject({ acr: MFA_ACR, amr: ['pwd', 'otp', 'mfa'] })
    // The step-up is a fresh authentication (OpenID Connect Core §2 auth_time).
    expect(claims.auth_time).toBe(Math.floor(t.now.ms / 1000))
    // The same login session, raised: a later request without acr_values gets mfa without asking.
    expect(claims.sid).toBe(decodeJwt(before.id_token).sid)
    const later = await t.tokensFor(b, spa, { username, password: PASSWORD })
    expect(decodeJwt(later.id_token)).toMatchObject({ acr: MFA_ACR, amr: ['pwd', 'otp', 'mfa'] })
  })

  it('prompt=none needing a step-up answers interaction_required to the redirect URI (§3.1.2.6)', async () => {
    const b = t.browser()
    const { username, userId } = await newUser()
    const before = await t.tokensFor(b, spa, { username, password: PASSWORD })
    // The factor added through the Mfa API, keeping this browser's login session.
    const user = { id: userId, username, roles: ['user'] } as Parameters<typeof t.mfa.beginTotp>[0]
    const { secret } = await t.mfa.beginTotp(user)
    await t.mfa.confirmTotp(userId, await totpCodeAt(secret, t.now.ms), {
      loginSessionId: String(decodeJwt(before.id_token).sid),
    })
    const { url } = t.authorizeUrl({ ...spa, state: 'n1', extra: { prompt: 'none', acr_values: MFA_ACR } })
    const res = await b.get(url)
    expect(res.status).toBe(302)
    const location = locationOf(res)
    expect(location.origin + location.pathname).toBe(SPA_REDIRECT)
    expect(location.searchParams.get('error')).toBe('interaction_required')
    expect(location.searchParams.get('state')).toBe('n1')
    expect(location.searchParams.get('code')).toBeNull()
    // Still signed in: prompt=none with no acr request gets its code.
    const quiet = t.authorizeUrl({ ...spa, extra: { prompt: 'none' } })
    expect(locationOf(await b.get(quiet.url)).searchParams.get('code')).not.toBeNull()
  })

  it('an essential phishing-resistant acr for a user with no passkey: unmet_authentication_requirements', async () => {
    const { username } = await newUser()
    const { secret } = await enrolTotp(t, username)
    const claims = JSON.stringify({
      id_token: { acr: { essential: true, values: [PHISHING_RESISTANT_ACR] } },
    })
    const b = t.browser()
    const { res } = await afterPassword(b, username, { claims })
    expect(res.status).toBe(303)
    const location = locationOf(res)
    expect(location.searchParams.get('error')).toBe('unmet_authentication_requirements')
    expect(location.searchParams.get('state')).toBe('st')
    expect(location.searchParams.get('code')).toBeNull()
    // The same for a signed-in (mfa) session of that user: no login page, the error at once.
    const signedIn = t.browser()
    const first = await afterPassword(signedIn, username)
    const done = await signedIn.post(
      '/oauth/authorize',
      answer(await first.res.text(), 'otp', await totpCodeAt(secret, t.now.ms)),
    )
    expect(done.status).toBe(303)
    const asked = t.authorizeUrl({ ...spa, extra: { claims } })
    const again = locationOf(await signedIn.get(asked.url))
    expect(again.searchParams.get('error')).toBe('unmet_authentication_requirements')
  })

  it('an essential mfa acr for a signed-in user with no factor: enrolment, and this login session raised', async () => {
    const b = t.browser()
    const { username } = await newUser()
    const before = await t.tokensFor(b, spa, { username, password: PASSWORD })
    const claims = JSON.stringify({ id_token: { acr: { essential: true, value: MFA_ACR } } })
    const { url, verifier } = t.authorizeUrl({ ...spa, extra: { claims } })
    const res = await b.get(url)
    expect(res.status).toBe(200)
    const enrol = await res.text()
    expect(enrol).toContain('name="enrol_otp"')
    expect(enrol).not.toContain('name="password"')
    const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(enrol)?.[1] ?? ''
    const fields = hiddenFieldsOf(enrol)
    fields.set('enrol_otp', await totpCodeAt(secret, t.now.ms))
    const codesPage = await (await b.post('/oauth/authorize', fields)).text()
    expect(codesPage).toContain('id="recovery-codes"')
    const next = hiddenFieldsOf(codesPage)
    next.set('continue', '1')
    const claimsAfter = await idTokenOf(await b.post('/oauth/authorize', next), verifier)
    expect(claimsAfter).toMatchObject({ acr: MFA_ACR, amr: ['pwd', 'otp', 'mfa'] })
    // The same login session, raised as after a second step, not ended by the new factor.
    expect(claimsAfter.sid).toBe(decodeJwt(before.id_token).sid)
  })

  it('a voluntary phishing-resistant acr_values for a TOTP user still signs in with the code (mfa)', async () => {
    const { username } = await newUser()
    const { secret } = await enrolTotp(t, username)
    const b = t.browser()
    const { res, verifier } = await afterPassword(b, username, { acr_values: PHISHING_RESISTANT_ACR })
    // acr_values are voluntary (§3.1.2.1): the strongest the user has is asked for, not an error.
    expect(res.status).toBe(200)
    const page = await res.text()
    expectSecondPage(page)
    const done = await b.post('/oauth/authorize', answer(page, 'otp', await totpCodeAt(secret, t.now.ms)))
    expect(await idTokenOf(done, verifier)).toMatchObject({ acr: MFA_ACR, amr: ['pwd', 'otp', 'mfa'] })
  })
})

describe('MFA=required: enrolment before the first code (issue 21 "Policy")', () => {
  let r: OidcTestIssuer
  beforeAll(async () => {
    r = await createOidcTestIssuer({ MFA: 'required' })
  })
  afterAll(async () => {
    await r.cleanup()
  })

  it('shows the enrolment page; a wrong code re-renders it; the right one shows ten recovery codes, then the code', async () => {
    const { username, userId } = await newUser(r)
    const b = r.browser()
    const { res, verifier } = await afterPassword(b, username, {}, r)
    expect(res.status).toBe(200)
    const enrol = await res.text()
    expect(enrol).toContain('<h1>Set up two-step sign-in to continue to Single Page</h1>')
    expect(enrol).toMatch(/<figure class="qr"><svg[\s\S]*<\/svg>/)
    expect(enrol).toMatch(/<code id="totp-secret">[A-Z2-7]{16,}<\/code>/)
    expect(enrol).toContain('name="enrol_otp"')
    expect(enrol).toMatch(/<input type="hidden" name="mfa_token" value="[A-Za-z0-9_-]{43}">/)
    expect(res.headers.get('location')).toBeNull()

    const wrongFields = hiddenFieldsOf(enrol)
    wrongFields.set('enrol_otp', '000000')
    const wrong = await b.post('/oauth/authorize', wrongFields)
    expect(wrong.status).toBe(200)
    const again = await wrong.text()
    expect(again).toContain('<p role="alert" id="enrol-problem">')
    expect(again).toContain('name="enrol_otp"')
    expect((await r.mfa.factorsOf(userId)).totp).toBe(false)

    const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(again)?.[1] ?? ''
    const fields = hiddenFieldsOf(again)
    fields.set('enrol_otp', await totpCodeAt(secret, r.now.ms))
    const confirmed = await b.post('/oauth/authorize', fields)
    expect(confirmed.status).toBe(200)
    const codesPage = await confirmed.text()
    const codes = [...codesPage.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1])
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    expect(await r.mfa.factorsOf(userId)).toMatchObject({ totp: true, recoveryCodesLeft: 10 })

    const next = hiddenFieldsOf(codesPage)
    next.set('continue', '1')
    const done = await b.post('/oauth/authorize', next)
    expect(await idTokenOf(done, verifier, r)).toMatchObject({ acr: MFA_ACR, amr: ['pwd', 'otp', 'mfa'] })
  })
})

describe('a ticket finishes only the way, and at the place, it was issued for', () => {
  it('a second step ticket posted as an enrolment is refused: no new authenticator, no code', async () => {
    const b = t.browser()
    const { username, userId } = await newUser()
    await enrolTotp(t, username)
    const before = await t.mfa.factorsOf(userId)
    const { res } = await afterPassword(b, username)
    const page = await res.text()
    expectSecondPage(page)
    // The enrolment form's field on the second page's ticket: as if setting up a factor of one's own.
    const fields = hiddenFieldsOf(page)
    fields.set('enrol_otp', '000000')
    const tried = await b.post('/oauth/authorize', fields)
    expect(tried.status).toBe(200)
    const shown = await tried.text()
    expect(shown).toContain(EXPIRED)
    expect(shown).not.toContain('id="totp-secret"')
    expect(await t.mfa.factorsOf(userId)).toEqual(before)
  })

  it("the JSON API's mfaToken is no ticket of the hosted pages, and theirs none of the JSON API's", async () => {
    const { username } = await newUser()
    const { secret } = await enrolTotp(t, username)
    const json = await t.request('/auth/login', { method: 'POST', json: { username, password: PASSWORD } })
    expect(json.status).toBe(401)
    const { mfaToken } = (await json.json()) as { mfaToken: string }
    // At the hosted pages: refused, back to the sign-in.
    const b = t.browser()
    const { res } = await afterPassword(b, username)
    const fields = hiddenFieldsOf(await res.text())
    fields.set('mfa_token', mfaToken)
    fields.set('otp', await totpCodeAt(secret, t.now.ms))
    const hosted = await b.post('/oauth/authorize', fields)
    expect(hosted.status).toBe(200)
    expect(await hosted.text()).toContain(EXPIRED)
    // A hosted ticket at /auth/login/mfa: refused before the code is looked at, so it stays good.
    const second = await afterPassword(t.browser(), username)
    const hostedTicket = hiddenFieldsOf(await second.res.text()).get('mfa_token') ?? ''
    const code = await totpCodeAt(secret, t.now.ms + 30_000)
    const refused = await t.request('/auth/login/mfa', {
      method: 'POST',
      json: { mfaToken: hostedTicket, otp: code },
    })
    expect(refused.status).toBe(401)
    expect(((await refused.json()) as { code: string }).code).toBe('invalid_mfa_token')
    const done = await t.request('/auth/login/mfa', { method: 'POST', json: { mfaToken, otp: code } })
    expect(done.status).toBe(200)
  })

  it('"continue" of the recovery codes page goes on only right after a sign-in, not for an older session', async () => {
    const b = t.browser()
    const { username } = await newUser()
    // Signed in with the password (no factor), some time ago.
    const first = await afterPassword(b, username)
    expect(first.res.status).toBe(303)
    t.advance(10 * 60 * 1000)
    // A request asking for a fresh sign-in, answered with "continue" instead of the password.
    const { url } = t.authorizeUrl({ ...spa, state: 'st', extra: { prompt: 'login' } })
    const login = await b.get(url)
    const fields = hiddenFieldsOf(await login.text())
    fields.set('continue', '1')
    const res = await b.post('/oauth/authorize', fields)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('name="password"')
  })
})
