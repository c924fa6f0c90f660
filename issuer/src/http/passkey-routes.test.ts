import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PASSKEY_REFUSED } from '../core/passkeys/create-passkey-step.ts'
import { PASSKEYS } from '../core/passkeys/passkey-collection.ts'
import { USERS } from '../core/users/user-collection.ts'
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '../testing/software-authenticator.ts'
import { createTestIssuer, TEST_ISSUER_URL, type TestIssuer } from '../testing/test-issuer.ts'

// Passkeys on the JSON API (issue 21), with a software authenticator standing in for the browser
// (the real one is passkey-browser.test.ts): registration, passkey-only sign-in, the options of a
// second step, management, and every way a WebAuthn Level 3 §7.1/§7.2 check must refuse.
const PASSWORD = 'passkey-routes-pass-123'
const ORIGIN = TEST_ISSUER_URL

let t: TestIssuer
let userId: string
let authenticator: SoftwareAuthenticator

beforeEach(async () => {
  t = await createTestIssuer({ LOGIN_MAX_FAILURES_PER_ADDRESS: '20', LOGIN_MAX_FAILURES_PER_ACCOUNT: '20' })
  userId = await t.addUser('alice', PASSWORD)
  authenticator = createSoftwareAuthenticator({ origin: ORIGIN })
})
afterEach(async () => {
  await t.cleanup()
})

interface Pair {
  accessToken: string
  refreshToken: string
}

const post = (path: string, json: unknown, token?: string, ip = '203.0.113.7') =>
  t.request(path, {
    method: 'POST',
    json,
    headers: { 'x-forwarded-for': ip, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  })

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const body = (await res.json()) as { code: string; error: string }
  expect({ status: res.status, code: body.code }).toEqual({ status, code })
  expect(Object.keys(body).sort()).toEqual(['code', 'error'])
  return body.error
}

/** The account-audience token of a password login (it carries that sign-in's `auth_time`). */
async function accountToken(username = 'alice'): Promise<{ token: string; pair: Pair }> {
  const res = await post('/auth/login', { username, password: PASSWORD, scope: 'account' })
  expect(res.status).toBe(200)
  const pair = (await res.json()) as Pair
  return { token: pair.accessToken, pair }
}

/** A passkey-only sign-in of the registered authenticator: a session with no password. */
async function passkeyLogin(): Promise<Pair> {
  const { challengeId, options } = await loginOptions()
  const res = await post('/auth/passkeys/login', { challengeId, response: authenticator.get(options) })
  expect(res.status).toBe(200)
  return (await res.json()) as Pair
}

async function registrationOptions(token: string) {
  const res = await post('/auth/mfa/passkeys/options', undefined, token)
  expect(res.status).toBe(200)
  return (await res.json()) as { challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }
}

async function register(token: string, name = 'Laptop') {
  const { challengeId, options } = await registrationOptions(token)
  const res = await post(
    '/auth/mfa/passkeys',
    { challengeId, response: authenticator.create(options), name },
    token,
  )
  expect(res.status).toBe(201)
  return ((await res.json()) as { passkey: { id: string; name: string } }).passkey
}

async function loginOptions() {
  const res = await post('/auth/passkeys/login/options', undefined)
  expect(res.status).toBe(200)
  expect(res.headers.get('cache-control')).toBe('no-store')
  return (await res.json()) as { challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }
}

describe('registering a passkey (WebAuthn Level 3 §7.1)', () => {
  it('offers creation options for a discoverable, user-verified ES256/RS256 credential of the user', async () => {
    const { token } = await accountToken()
    const { challengeId, options } = await registrationOptions(token)
    expect(challengeId).toMatch(/^[0-9a-f-]{36}$/)
    expect(options.rp).toEqual({ id: 'issuer.test', name: 'tokensmith' })
    expect(Buffer.from(options.user.id, 'base64url').toString()).toBe(userId)
    expect(options.user.name).toBe('alice')
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    })
    expect(options.attestation).toBe('none')
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -257])
    expect(options.excludeCredentials).toEqual([])
  })

  it('registers it under a trimmed name, excludes it from the next options, and answers once per challenge', async () => {
    const { token } = await accountToken()
    const { challengeId, options } = await registrationOptions(token)
    const response = authenticator.create(options)
    const res = await post('/auth/mfa/passkeys', { challengeId, response, name: '  Laptop  ' }, token)
    expect(res.status).toBe(201)
    const { passkey } = (await res.json()) as { passkey: Record<string, unknown> }
    expect(passkey).toEqual({
      id: authenticator.credentialId,
      name: 'Laptop',
      createdAt: t.now.ms,
      lastUsedAt: null,
      backedUp: false,
    })
    // The same answer again: its challenge is spent.
    await expectError(
      await post('/auth/mfa/passkeys', { challengeId, response, name: 'Again' }, token),
      400,
      'invalid_request',
    )
    const next = await registrationOptions(token)
    expect(next.options.excludeCredentials?.map((c) => c.id)).toEqual([authenticator.credentialId])
    const list = await t.request('/auth/mfa/passkeys', { headers: { authorization: `Bearer ${token}` } })
    expect(((await list.json()) as { passkeys: unknown[] }).passkeys).toHaveLength(1)
    expect(t.logs.some((l) => l.includes('"passkey_added"'))).toBe(true)
  })

  it('refuses another origin, another RP ID, another challenge, no user verification, a bad name', async () => {
    const { token } = await accountToken()
    const cases = [
      { origin: 'http://issuer.test.evil.example' },
      { rpId: 'evil.example' },
      { challenge: Buffer.from('another challenge').toString('base64url') },
      { userVerified: false },
    ]
    for (const tweaks of cases) {
      const { challengeId, options } = await registrationOptions(token)
      const response = authenticator.create(options, tweaks)
      await expectError(
        await post('/auth/mfa/passkeys', { challengeId, response, name: 'x' }, token),
        400,
        'invalid_request',
      )
    }
    const { challengeId, options } = await registrationOptions(token)
    const response = authenticator.create(options)
    for (const name of ['   ', 'n'.repeat(65), 'tab\there', 7]) {
      await expectError(
        await post('/auth/mfa/passkeys', { challengeId, response, name }, token),
        400,
        'invalid_request',
      )
    }
    for (const bad of [null, 'text', [], { id: 'x' }]) {
      await expectError(
        await post('/auth/mfa/passkeys', { challengeId, response: bad, name: 'ok' }, token),
        400,
        'invalid_request',
      )
    }
    // A bad name spends no challenge: the good answer still registers.
    expect(
      (await post('/auth/mfa/passkeys', { challengeId, response, name: 'n'.repeat(64) }, token)).status,
    ).toBe(201)
    expect(await t.store.records.get(PASSKEYS, { id: authenticator.credentialId })).toMatchObject({ userId })
  })

  it('refuses a challenge issued for another user, or expired (5 minutes)', async () => {
    const { token } = await accountToken()
    await t.addUser('bob', PASSWORD)
    const { token: bob } = await accountToken('bob')
    const forBob = await registrationOptions(bob)
    const stolen = {
      challengeId: forBob.challengeId,
      response: authenticator.create(forBob.options),
      name: 'x',
    }
    await expectError(await post('/auth/mfa/passkeys', stolen, token), 400, 'invalid_request')
    const { challengeId, options } = await registrationOptions(token)
    t.advance(5 * 60 * 1000)
    // A sign-in of that moment: only the challenge is too old.
    const { token: late } = await accountToken()
    const response = authenticator.create(options)
    await expectError(
      await post('/auth/mfa/passkeys', { challengeId, response, name: 'x' }, late),
      400,
      'invalid_request',
    )
  })

  it('needs an account token from a sign-in at most 5 minutes old (RFC 9470)', async () => {
    const { token: old } = await accountToken()
    // Exactly 5 minutes after the sign-in, its token still may.
    t.advance(300_000)
    expect((await post('/auth/mfa/passkeys/options', undefined, old)).status).toBe(200)
    // One second later (the token itself lives 15 minutes), it may not.
    t.advance(1000)
    const res = await post('/auth/mfa/passkeys/options', undefined, old)
    await expectError(res, 401, 'insufficient_user_authentication')
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_user_authentication"')
    expect(res.headers.get('www-authenticate')).toContain('max_age=300')
    // A sign-in now answers the challenge.
    const { token: fresh } = await accountToken()
    expect((await post('/auth/mfa/passkeys/options', undefined, fresh)).status).toBe(200)
    // A token for another audience is refused too.
    const api = (await (await post('/auth/login', { username: 'alice', password: PASSWORD })).json()) as Pair
    await expectError(
      await post('/auth/mfa/passkeys/options', undefined, api.accessToken),
      403,
      'insufficient_scope',
    )
  })
})

describe('signing in with a passkey alone (WebAuthn Level 3 §7.2)', () => {
  it('answers the token pair of /auth/login, and keeps the counter and last use', async () => {
    const { token } = await accountToken()
    await register(token)
    const { challengeId, options } = await loginOptions()
    expect(options.rpId).toBe('issuer.test')
    expect(options.userVerification).toBe('required')
    expect(options.allowCredentials).toEqual([])
    t.advance(1000)
    const res = await post('/auth/passkeys/login', { challengeId, response: authenticator.get(options) })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType'])
    const claims = JSON.parse(
      Buffer.from(String(body.accessToken).split('.')[1] ?? '', 'base64url').toString(),
    )
    expect(claims.sub).toBe(userId)
    expect(await t.store.records.get(PASSKEYS, { id: authenticator.credentialId })).toMatchObject({
      counter: 1,
      lastUsedAt: t.now.ms,
    })
    expect(t.logs.some((l) => l.includes('"login"') && l.includes('hwk user mfa'))).toBe(true)
    // The refresh token is a real session's.
    expect((await post('/auth/refresh', { refreshToken: body.refreshToken })).status).toBe(200)
  })

  it('refuses, with one message, a spent challenge, another origin, RP ID, challenge or user, no UV', async () => {
    const { token } = await accountToken()
    await register(token)
    const first = await loginOptions()
    const response = authenticator.get(first.options)
    expect((await post('/auth/passkeys/login', { challengeId: first.challengeId, response })).status).toBe(
      200,
    )
    const replay = await post('/auth/passkeys/login', { challengeId: first.challengeId, response })
    expect(await expectError(replay, 401, 'invalid_credentials')).toBe(PASSKEY_REFUSED)
    const cases = [
      { origin: 'http://evil.example' },
      { rpId: 'evil.example' },
      { challenge: Buffer.from('x'.repeat(32)).toString('base64url') },
      { userVerified: false },
      { userHandle: Buffer.from('someone-else').toString('base64url') },
      { userHandle: null },
    ]
    for (const tweaks of cases) {
      const { challengeId, options } = await loginOptions()
      const res = await post('/auth/passkeys/login', {
        challengeId,
        response: authenticator.get(options, tweaks),
      })
      expect(await expectError(res, 401, 'invalid_credentials')).toBe(PASSKEY_REFUSED)
    }
    // None of it logged a challenge or a signature.
    const challenges = [first.options.challenge, response.response.signature]
    expect(t.logs.filter((l) => challenges.some((c) => l.includes(c)))).toEqual([])
  })

  it('refuses a counter that does not move forward (a cloned authenticator), and logs it', async () => {
    const { token } = await accountToken()
    await register(token)
    const a = await loginOptions()
    expect(
      (
        await post('/auth/passkeys/login', {
          challengeId: a.challengeId,
          response: authenticator.get(a.options, { counter: 5 }),
        })
      ).status,
    ).toBe(200)
    const b = await loginOptions()
    const res = await post('/auth/passkeys/login', {
      challengeId: b.challengeId,
      response: authenticator.get(b.options, { counter: 3 }),
    })
    await expectError(res, 401, 'invalid_credentials')
    expect(
      t.logs.some((l) => l.includes('"passkey_counter_regressed"') && l.includes('"security":true')),
    ).toBe(true)
    expect(await t.store.records.get(PASSKEYS, { id: authenticator.credentialId })).toMatchObject({
      counter: 5,
    })
  })

  it('takes a counter of 0 every time from an authenticator that keeps none', async () => {
    const { token } = await accountToken()
    await register(token)
    for (let i = 0; i < 2; i++) {
      const o = await loginOptions()
      const res = await post('/auth/passkeys/login', {
        challengeId: o.challengeId,
        response: authenticator.get(o.options, { counter: 0 }),
      })
      expect(res.status).toBe(200)
    }
  })

  it('keeps the backup flags a synced passkey reports', async () => {
    authenticator = createSoftwareAuthenticator({ origin: ORIGIN, backedUp: true })
    const { token } = await accountToken()
    await register(token)
    expect(await t.store.records.get(PASSKEYS, { id: authenticator.credentialId })).toMatchObject({
      deviceType: 'multiDevice',
      backedUp: true,
    })
  })

  it('refuses a disabled user, an unknown passkey and an unknown client', async () => {
    const { token } = await accountToken()
    await register(token)
    const o = await loginOptions()
    const unknown = createSoftwareAuthenticator({ origin: ORIGIN })
    unknown.create({ ...(await registrationOptions(token)).options })
    await expectError(
      await post('/auth/passkeys/login', { challengeId: o.challengeId, response: unknown.get(o.options) }),
      401,
      'invalid_credentials',
    )
    const c = await loginOptions()
    await expectError(
      await post('/auth/passkeys/login', {
        challengeId: c.challengeId,
        response: authenticator.get(c.options),
        clientId: 'nope',
      }),
      400,
      'invalid_request',
    )
    await t.store.records.update(USERS, { id: userId }, { disabled: true })
    const d = await loginOptions()
    await expectError(
      await post('/auth/passkeys/login', {
        challengeId: d.challengeId,
        response: authenticator.get(d.options),
      }),
      403,
      'user_disabled',
    )
  })

  it('counts failures in the per-address login limit with the password', async () => {
    await t.cleanup()
    t = await createTestIssuer({ LOGIN_MAX_FAILURES_PER_ADDRESS: '3' })
    userId = await t.addUser('alice', PASSWORD)
    for (let i = 0; i < 3; i++) {
      const o = await loginOptions()
      const res = await post(
        '/auth/passkeys/login',
        { challengeId: o.challengeId, response: authenticator.get(o.options) },
        undefined,
        '198.51.100.9',
      )
      await expectError(res, 401, 'invalid_credentials')
    }
    const o = await loginOptions()
    const res = await post(
      '/auth/passkeys/login',
      { challengeId: o.challengeId, response: authenticator.get(o.options) },
      undefined,
      '198.51.100.9',
    )
    await expectError(res, 429, 'rate_limited')
    // The password from that address too.
    await expectError(
      await post('/auth/login', { username: 'alice', password: PASSWORD }, undefined, '198.51.100.9'),
      429,
      'rate_limited',
    )
  })
})

describe('the sign-in options anyone may ask for', () => {
  it('are limited per client address (each stores a challenge): the 61st in a minute is 429 with Retry-After', async () => {
    const ip = '198.51.100.61'
    for (let i = 0; i < 60; i++)
      expect((await post('/auth/passkeys/login/options', {}, undefined, ip)).status).toBe(200)
    const limited = await post('/auth/passkeys/login/options', {}, undefined, ip)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    await expectError(limited, 429, 'rate_limited')
    // Another address is not held back, and the window ends.
    expect((await post('/auth/passkeys/login/options', {}, undefined, '198.51.100.62')).status).toBe(200)
    t.advance(60_000)
    expect((await post('/auth/passkeys/login/options', {}, undefined, ip)).status).toBe(200)
  })
})

describe('the options of a passkey as the second step', () => {
  it('names the user of a live mfaToken and only their passkeys', async () => {
    const { token } = await accountToken()
    await register(token)
    // Bob's passkey is not offered to Alice's second step.
    await t.addUser('bob', PASSWORD)
    const bobAuthenticator = createSoftwareAuthenticator({ origin: ORIGIN })
    const forBob = await registrationOptions((await accountToken('bob')).token)
    expect(
      (
        await post(
          '/auth/mfa/passkeys',
          { challengeId: forBob.challengeId, response: bobAuthenticator.create(forBob.options), name: 'Bob' },
          (
            await accountToken('bob')
          ).token,
        )
      ).status,
    ).toBe(201)
    // The password now asks for the second step: the ticket is the one /auth/login gives.
    const first = await post('/auth/login', { username: 'alice', password: PASSWORD })
    const ticket = (await first.json()) as { code: string; mfaToken: string; factors: string[] }
    expect({ status: first.status, code: ticket.code }).toEqual({ status: 401, code: 'mfa_required' })
    expect(ticket.factors).toContain('passkey')
    const { mfaToken } = ticket
    const res = await post('/auth/login/mfa/passkey-options', { mfaToken })
    expect(res.status).toBe(200)
    const { options } = (await res.json()) as { options: PublicKeyCredentialRequestOptionsJSON }
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([authenticator.credentialId])
    await expectError(
      await post('/auth/login/mfa/passkey-options', { mfaToken: 'mt_other' }),
      401,
      'invalid_mfa_token',
    )
    await expectError(await post('/auth/login/mfa/passkey-options', {}), 400, 'invalid_request')
    t.advance(300_000)
    await expectError(await post('/auth/login/mfa/passkey-options', { mfaToken }), 401, 'invalid_mfa_token')
  })
})

describe('managing passkeys', () => {
  it('renames and removes one, and removing ends the other sessions', async () => {
    const { token, pair } = await accountToken()
    const other = (await (
      await post('/auth/login', { username: 'alice', password: PASSWORD })
    ).json()) as Pair
    const passkey = await register(token)
    // Adding one ended the other session already; start another.
    expect((await post('/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(401)
    // The password alone no longer signs in (a passkey is a second factor): the passkey does.
    const later = await passkeyLogin()
    const patch = (id: string, json: unknown) =>
      t.request(`/auth/mfa/passkeys/${id}`, {
        method: 'PATCH',
        json,
        headers: { authorization: `Bearer ${token}` },
      })
    expect((await patch(passkey.id, { name: ' Phone ' })).status).toBe(200)
    expect(await t.store.records.get(PASSKEYS, { id: passkey.id })).toMatchObject({ name: 'Phone' })
    await expectError(await patch(passkey.id, { name: '' }), 400, 'invalid_request')
    await expectError(await patch(passkey.id, {}), 400, 'invalid_request')
    await expectError(await patch('no-such-passkey', { name: 'x' }), 404, 'not_found')
    const del = (id: string) =>
      t.request(`/auth/mfa/passkeys/${id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      })
    expect((await del(passkey.id)).status).toBe(200)
    await expectError(await del(passkey.id), 404, 'not_found')
    expect(await t.store.records.get(PASSKEYS, { id: passkey.id })).toBeNull()
    expect((await post('/auth/refresh', { refreshToken: later.refreshToken })).status).toBe(401)
    // The caller's own session lives on.
    expect((await post('/auth/refresh', { refreshToken: pair.refreshToken })).status).toBe(200)
    expect(t.logs.some((l) => l.includes('"passkey_removed"'))).toBe(true)
  })

  it("cannot rename or remove another user's passkey", async () => {
    const { token } = await accountToken()
    const passkey = await register(token)
    await t.addUser('bob', PASSWORD)
    const { token: bob } = await accountToken('bob')
    const headers = { authorization: `Bearer ${bob}` }
    expect(
      (
        await t.request(`/auth/mfa/passkeys/${passkey.id}`, {
          method: 'PATCH',
          json: { name: 'mine' },
          headers,
        })
      ).status,
    ).toBe(404)
    expect((await t.request(`/auth/mfa/passkeys/${passkey.id}`, { method: 'DELETE', headers })).status).toBe(
      404,
    )
    expect(await t.store.records.get(PASSKEYS, { id: passkey.id })).toMatchObject({ name: 'Laptop', userId })
  })
})
