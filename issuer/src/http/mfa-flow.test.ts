// The JSON API of the second factor end to end on a real issuer (SQLite): enrolment under
// /auth/mfa, the login's second step at /auth/login/mfa, recovery codes, the policy, the password
// grant's refusal, the limiter, ticket expiry, and logs free of every secret, code and ticket.
import { afterEach, describe, expect, it } from 'vitest'
import { CLIENTS } from '../core/clients/client-collection.ts'
import { leakedLines } from '../testing/leaked-lines.ts'
import { createTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'
import { totpCodeAt } from '../testing/totp-code-at.ts'

const PASSWORD = 'correct horse battery staple'
let open: TestIssuer[] = []
const secrets = new Set<string>([PASSWORD])

afterEach(async () => {
  for (const t of open) expect(leakedLines(t.logs, [...secrets])).toEqual([])
  await Promise.all(open.map((t) => t.cleanup()))
  open = []
})

async function issuer(env: Record<string, string> = {}): Promise<TestIssuer> {
  const t = await createTestIssuer(env)
  open.push(t)
  return t
}

type Json = Record<string, unknown>
async function post(t: TestIssuer, path: string, json: unknown, headers: Record<string, string> = {}) {
  const res = await t.request(path, { method: 'POST', json, headers })
  return { status: res.status, body: (await res.json()) as Json, headers: res.headers }
}

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()) as Json

/** Signs in with the password alone (no factor yet) and enrols TOTP; answers what enrolment gave. */
async function enrol(t: TestIssuer, username = 'alice') {
  const login = await post(t, '/auth/login', { username, password: PASSWORD, scope: 'account' })
  expect(login.status).toBe(200)
  // The sign-in's own token: it carries `auth_time`, so it may change factors for 5 minutes.
  const token = String(login.body.accessToken)
  const claims = claimsOf(token)
  expect(claims.auth_time).toBe(Math.floor(t.now.ms / 1000))
  secrets.add(token)
  secrets.add(String(login.body.refreshToken))
  const auth = { authorization: `Bearer ${token}` }
  const begun = await post(t, '/auth/mfa/totp', {}, auth)
  expect(begun.status).toBe(200)
  const secret = String(begun.body.secret)
  secrets.add(secret)
  expect(begun.body.otpauthUri).toBe(
    `otpauth://totp/issuer.test:${username}?secret=${secret}&issuer=issuer.test&algorithm=SHA1&digits=6&period=30`,
  )
  expect(String(begun.body.qrSvg)).toMatch(/^<svg[\s\S]*<\/svg>\s*$/)
  const confirmed = await post(t, '/auth/mfa/totp/confirm', { otp: await totpCodeAt(secret, t.now.ms) }, auth)
  expect(confirmed.status).toBe(200)
  const recoveryCodes = confirmed.body.recoveryCodes as string[]
  expect(recoveryCodes).toHaveLength(10)
  for (const c of recoveryCodes) secrets.add(c)
  return { secret, recoveryCodes, auth, userId: claims.sub as string, sessionId: claims.sid as string }
}

async function passwordStep(t: TestIssuer, username = 'alice', ip = '203.0.113.1') {
  const res = await post(t, '/auth/login', { username, password: PASSWORD }, { 'x-forwarded-for': ip })
  if (typeof res.body.mfaToken === 'string') secrets.add(res.body.mfaToken)
  return res
}

describe('TOTP enrolment and the second step of /auth/login', () => {
  it('asks for the code after the password, and finishes the login with it once', async () => {
    const t = await issuer()
    await t.addUser('alice', PASSWORD)
    const { secret, auth } = await enrol(t)
    expect((await t.request('/auth/mfa', { headers: auth }).then((r) => r.json())) as Json).toEqual({
      totp: true,
      passkeys: [],
      recoveryCodesLeft: 10,
    })

    t.advance(60_000)
    const first = await passwordStep(t)
    expect(first.status).toBe(401)
    expect(first.body).toMatchObject({ code: 'mfa_required', factors: ['otp', 'recovery_code'] })
    expect(first.body.mfaToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(first.body).not.toHaveProperty('accessToken')

    const code = await totpCodeAt(secret, t.now.ms)
    const done = await post(t, '/auth/login/mfa', { mfaToken: first.body.mfaToken, otp: code })
    expect(done.status).toBe(200)
    expect(done.body).toMatchObject({ tokenType: 'Bearer' })
    expect(done.headers.get('cache-control')).toBe('no-store')
    secrets.add(String(done.body.refreshToken))
    // The login recorded both steps: amr pwd + otp, and so mfa and the multi-factor acr.
    expect(t.logs.some((l) => l.includes('"event":"login"') && l.includes('"amr":"pwd otp mfa"'))).toBe(true)
    expect(t.logs.some((l) => l.includes('"acr":"urn:tokensmith:acr:mfa"'))).toBe(true)
    expect(claimsOf(String(done.body.accessToken))).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      acr: 'urn:tokensmith:acr:mfa',
      auth_time: Math.floor(t.now.ms / 1000),
    })

    // The ticket is finished; the same code on a new ticket is refused (used once).
    const again = await post(t, '/auth/login/mfa', { mfaToken: first.body.mfaToken, otp: code })
    expect(again.body).toMatchObject({ code: 'invalid_mfa_token' })
    expect(again.status).toBe(401)
    const second = await passwordStep(t)
    const replay = await post(t, '/auth/login/mfa', { mfaToken: second.body.mfaToken, otp: code })
    expect(replay).toMatchObject({ status: 401, body: { code: 'invalid_credentials' } })
    // The ticket survives a wrong code; the next step's code finishes it.
    t.advance(30_000)
    const next = await post(t, '/auth/login/mfa', {
      mfaToken: second.body.mfaToken,
      otp: await totpCodeAt(secret, t.now.ms),
    })
    expect(next.status).toBe(200)
  })

  it('shows a pending set-up again for 10 minutes, then restarts it: only the newest secret confirms it', async () => {
    const t = await issuer()
    await t.addUser('alice', PASSWORD)
    const signIn = async () => {
      const login = await post(t, '/auth/login', { username: 'alice', password: PASSWORD, scope: 'account' })
      secrets.add(String(login.body.accessToken))
      secrets.add(String(login.body.refreshToken))
      return { authorization: `Bearer ${login.body.accessToken}` }
    }
    let auth = await signIn()
    const first = await post(t, '/auth/mfa/totp', {}, auth)
    // Asked again a moment later (a mistyped first code, a reloaded page): the same secret.
    const again = await post(t, '/auth/mfa/totp', {}, auth)
    expect([first.status, again.status]).toEqual([200, 200])
    const old = String(first.body.secret)
    secrets.add(old)
    expect(again.body.secret).toBe(old)
    // Past 10 minutes a new set-up replaces it (after a new sign-in: changes need a recent one).
    t.advance(10 * 60 * 1000 + 1000)
    auth = await signIn()
    const second = await post(t, '/auth/mfa/totp', {}, auth)
    expect(second.status).toBe(200)
    const secret = String(second.body.secret)
    secrets.add(secret)
    expect(secret).not.toBe(old)
    const stale = await post(t, '/auth/mfa/totp/confirm', { otp: await totpCodeAt(old, t.now.ms) }, auth)
    expect(stale.status).toBe(400)
    const ok = await post(t, '/auth/mfa/totp/confirm', { otp: await totpCodeAt(secret, t.now.ms) }, auth)
    expect(ok.status).toBe(200)
    for (const c of ok.body.recoveryCodes as string[]) secrets.add(c)
  })

  it('takes each recovery code once, whatever its spelling, and regenerating replaces the set', async () => {
    const t = await issuer()
    await t.addUser('alice', PASSWORD)
    const { recoveryCodes, auth } = await enrol(t)
    const [code, other] = recoveryCodes as [string, string]
    const login = await passwordStep(t)
    const typed = ` ${code.toUpperCase().replace('-', ' ')} `
    const done = await post(t, '/auth/login/mfa', { mfaToken: login.body.mfaToken, recoveryCode: typed })
    expect(done.status).toBe(200)
    const again = await passwordStep(t)
    const reused = await post(t, '/auth/login/mfa', { mfaToken: again.body.mfaToken, recoveryCode: code })
    expect(reused).toMatchObject({
      status: 401,
      body: { code: 'invalid_credentials', error: 'The code is incorrect.' },
    })
    const wrongOtp = await post(t, '/auth/login/mfa', { mfaToken: again.body.mfaToken, otp: '000000' })
    // One message for every wrong second step.
    expect(wrongOtp.body).toEqual(reused.body)

    const regenerated = await post(t, '/auth/mfa/recovery-codes', {}, auth)
    expect(regenerated.status).toBe(200)
    const fresh = regenerated.body.recoveryCodes as string[]
    for (const c of fresh) secrets.add(c)
    expect(fresh).toHaveLength(10)
    const old = await post(t, '/auth/login/mfa', { mfaToken: again.body.mfaToken, recoveryCode: other })
    expect(old.body.code).toBe('invalid_credentials')
    const ok = await post(t, '/auth/login/mfa', { mfaToken: again.body.mfaToken, recoveryCode: fresh[0] })
    expect(ok.status).toBe(200)
    expect(
      ((await t.request('/auth/mfa', { headers: auth }).then((r) => r.json())) as Json).recoveryCodesLeft,
    ).toBe(9)
  })

  it('refuses a body with none or two second steps, and a ticket past its five minutes', async () => {
    const t = await issuer()
    await t.addUser('alice', PASSWORD)
    const { secret } = await enrol(t)
    const login = await passwordStep(t)
    const none = await post(t, '/auth/login/mfa', { mfaToken: login.body.mfaToken })
    expect(none).toMatchObject({ status: 400, body: { code: 'invalid_request' } })
    const both = await post(t, '/auth/login/mfa', {
      mfaToken: login.body.mfaToken,
      otp: '1',
      recoveryCode: '2',
    })
    expect(both.status).toBe(400)
    const unknown = await post(t, '/auth/login/mfa', { mfaToken: 'x'.repeat(43), otp: '123456' })
    expect(unknown).toMatchObject({ status: 401, body: { code: 'invalid_mfa_token' } })

    t.advance(5 * 60_000 - 1000)
    const justIn = await passwordStep(t)
    t.advance(1000)
    const late = await post(t, '/auth/login/mfa', {
      mfaToken: login.body.mfaToken,
      otp: await totpCodeAt(secret, t.now.ms),
    })
    expect(late).toMatchObject({ status: 401, body: { code: 'invalid_mfa_token' } })
    const inTime = await post(t, '/auth/login/mfa', {
      mfaToken: justIn.body.mfaToken,
      otp: await totpCodeAt(secret, t.now.ms),
    })
    expect(inTime.status).toBe(200)
  })

  it('counts wrong codes in the login limiter with the passwords', async () => {
    const t = await issuer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '4', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000' })
    await t.addUser('alice', PASSWORD)
    const { secret } = await enrol(t)
    // The right password with a factor to come counts as an attempt until the second step passes.
    const login = await passwordStep(t)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const res = await post(t, '/auth/login/mfa', { mfaToken: login.body.mfaToken, otp: `00000${i}` })
      statuses.push(res.status)
    }
    expect(statuses).toEqual([401, 401, 401, 429])
    const right = await post(t, '/auth/login/mfa', {
      mfaToken: login.body.mfaToken,
      otp: await totpCodeAt(secret, t.now.ms),
    })
    expect(right.status).toBe(429)
    expect((await passwordStep(t)).status).toBe(429)
    expect(t.logs.some((l) => l.includes('"login_lockout"') && l.includes('"scope":"account"'))).toBe(true)
    // After the window, the right code resets the account.
    t.advance(15 * 60_000)
    const fresh = await passwordStep(t)
    const done = await post(t, '/auth/login/mfa', {
      mfaToken: fresh.body.mfaToken,
      otp: await totpCodeAt(secret, t.now.ms),
    })
    expect(done.status).toBe(200)
  })

  it('ends the other sessions on enrolment and removal, and asks for a recent sign-in to change', async () => {
    const t = await issuer()
    const userId = await t.addUser('alice', PASSWORD)
    const other = await post(t, '/auth/login', { username: 'alice', password: PASSWORD })
    secrets.add(String(other.body.refreshToken))
    const { auth, sessionId, secret } = await enrol(t)
    const sessions = await t.store.listSessions(userId, t.now.ms)
    expect(sessions.map((s) => s.id)).toEqual([sessionId])
    expect(t.logs.some((l) => l.includes('"mfa_totp_enrolled"'))).toBe(true)

    // A token from a sign-in more than five minutes ago (the token itself lives 15) may read but
    // not change.
    t.advance(301_000)
    const staleAuth = auth
    expect((await t.request('/auth/mfa', { headers: staleAuth })).status).toBe(200)
    const refused = await t.request('/auth/mfa/totp', { method: 'DELETE', headers: staleAuth })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_user_authentication"')
    expect(refused.headers.get('www-authenticate')).toContain('max_age=300')
    expect(((await t.request('/auth/mfa', { headers: staleAuth }).then((r) => r.json())) as Json).totp).toBe(
      true,
    )

    // Signing in again (password, then the code) gives a token that may.
    const again = await post(t, '/auth/login', { username: 'alice', password: PASSWORD, scope: 'account' })
    expect(again.body.code).toBe('mfa_required')
    secrets.add(String(again.body.mfaToken))
    const signedIn = await post(t, '/auth/login/mfa', {
      mfaToken: again.body.mfaToken,
      otp: await totpCodeAt(secret, t.now.ms),
    })
    expect(signedIn.status).toBe(200)
    secrets.add(String(signedIn.body.refreshToken))
    secrets.add(String(signedIn.body.accessToken))
    const fresh = { authorization: `Bearer ${signedIn.body.accessToken}` }
    const removed = await t.request('/auth/mfa/totp', { method: 'DELETE', headers: fresh })
    expect(removed.status).toBe(200)
    // Removal ended the enrolment's session and kept the caller's.
    expect((await t.store.listSessions(userId, t.now.ms)).map((s) => s.id)).toEqual([
      claimsOf(String(signedIn.body.accessToken)).sid,
    ])
    // With no factor left, the recovery codes went too, and the password alone signs in again.
    expect((await t.request('/auth/mfa', { headers: fresh }).then((r) => r.json())) as Json).toEqual({
      totp: false,
      passkeys: [],
      recoveryCodesLeft: 0,
    })
    expect((await passwordStep(t)).status).toBe(200)
    expect(
      await (await t.request('/auth/mfa/totp', { method: 'DELETE', headers: fresh })).json(),
    ).toMatchObject({
      code: 'not_found',
    })
  })
})

describe('policy', () => {
  it('MFA=required: a user with no factor gets 403 mfa_enrollment_required before any token', async () => {
    const t = await issuer({ MFA: 'required' })
    await t.addUser('alice', PASSWORD)
    const res = await passwordStep(t)
    expect(res).toMatchObject({ status: 403, body: { code: 'mfa_enrollment_required' } })
    expect(res.body).not.toHaveProperty('accessToken')
  })

  it('MFA_REQUIRED_ROLES and a client with requireMfa', async () => {
    const t = await issuer({ MFA_REQUIRED_ROLES: 'admin, ops' })
    await t.addUser('root', PASSWORD, ['admin'])
    await t.addUser('bob', PASSWORD, ['user'])
    expect((await passwordStep(t, 'root')).body.code).toBe('mfa_enrollment_required')
    expect((await passwordStep(t, 'bob')).status).toBe(200)
    await t.store.records.update(CLIENTS, { id: 'default' }, { requireMfa: true })
    expect((await passwordStep(t, 'bob')).body.code).toBe('mfa_enrollment_required')
  })

  it('the password grant refuses an account with a second factor, or that must have one', async () => {
    const t = await issuer({ MFA_REQUIRED_ROLES: 'admin' })
    await t.addUser('alice', PASSWORD)
    await t.addUser('root', PASSWORD, ['admin'])
    await enrol(t)
    const grant = async (username: string) => {
      const res = await t.request('/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'default',
          username,
          password: PASSWORD,
        }),
      })
      return { status: res.status, body: (await res.json()) as Json }
    }
    for (const username of ['alice', 'root']) {
      const res = await grant(username)
      expect(res.status).toBe(400)
      expect(res.body.error).toBe('invalid_grant')
      expect(res.body.error_description).toMatch(/authorization code flow/)
    }
  })
})
