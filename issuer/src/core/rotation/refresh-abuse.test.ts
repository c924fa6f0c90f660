// A stolen or replayed refresh token, tokens presented in the wrong place, and one user's
// token used against another user's session. Every case ends with the thief locked out.
import { createHmac, createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { expectErrorBody, leakedLines } from '../../testing/http-probe.ts'
import { createTestIssuer, TEST_ISSUER_URL, type TestIssuer } from '../../testing/test-issuer.ts'
import { findUserByUsername } from '../users/find-user-by-username.ts'
import { USERS } from '../users/user-collection.ts'

const PASSWORD = 'correct horse battery staple'
const OTHER_PASSWORD = 'another long passphrase'

interface Pair {
  accessToken: string
  refreshToken: string
}

let t: TestIssuer
const handedOut: string[] = []

beforeEach(async () => {
  t = await createTestIssuer()
  await t.addUser('alice', PASSWORD)
  await t.addUser('bob', OTHER_PASSWORD)
})
afterEach(async () => {
  expect(leakedLines(t.logs, [PASSWORD, OTHER_PASSWORD, ...handedOut])).toEqual([])
  handedOut.length = 0
  await t.cleanup()
})

async function login(username = 'alice', password = PASSWORD): Promise<Pair> {
  // The account scope: these tests also drive the account endpoints, which take no other token.
  const res = await t.request('/auth/login', {
    method: 'POST',
    json: { username, password, scope: 'account' },
  })
  expect(res.status).toBe(200)
  const pair = (await res.json()) as Pair
  handedOut.push(pair.accessToken, pair.refreshToken)
  return pair
}

const refresh = (refreshToken: string) =>
  t.request('/auth/refresh', { method: 'POST', json: { refreshToken } })
const logout = (refreshToken: string) => t.request('/auth/logout', { method: 'POST', json: { refreshToken } })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

async function rotate(token: string): Promise<Pair> {
  const res = await refresh(token)
  expect(res.status).toBe(200)
  const pair = (await res.json()) as Pair
  handedOut.push(pair.accessToken, pair.refreshToken)
  return pair
}

async function liveSessions(accessToken: string): Promise<string[]> {
  const res = await t.request('/auth/sessions', { headers: bearer(accessToken) })
  expect(res.status).toBe(200)
  return ((await res.json()) as { sessions: { id: string }[] }).sessions.map((s) => s.id)
}

describe('refresh replay after rotation', () => {
  it('revokes the whole family, the newest token included, when an old token comes back', async () => {
    const g1 = await login()
    const g2 = await rotate(g1.refreshToken)
    const g3 = await rotate(g2.refreshToken)
    t.advance(11_000) // past the 10 s grace window
    await expectErrorBody(await refresh(g1.refreshToken), 401, 'reuse_detected')
    await expectErrorBody(await refresh(g3.refreshToken), 401, 'invalid_token')
    await expectErrorBody(await refresh(g2.refreshToken), 401, 'invalid_token')
    // The family's access tokens no longer manage sessions, and a new login sees only itself.
    await expectErrorBody(
      await t.request('/auth/sessions', { headers: bearer(g3.accessToken) }),
      401,
      'invalid_token',
    )
    const fresh = await login()
    expect(await liveSessions(fresh.accessToken)).toHaveLength(1)
  })

  it('locks out a thief who rotated first, once the victim presents the token', async () => {
    const victim = await login()
    const thief = await rotate(victim.refreshToken) // stolen and used before the victim
    const thiefNext = await rotate(thief.refreshToken)
    t.advance(60_000)
    await expectErrorBody(await refresh(victim.refreshToken), 401, 'reuse_detected')
    await expectErrorBody(await refresh(thiefNext.refreshToken), 401, 'invalid_token')
    expect(t.logs.some((l) => l.includes('"refresh_reuse_detected"') && l.includes('"security":true'))).toBe(
      true,
    )
  })

  it('treats any replay as reuse when the grace window is off', async () => {
    await t.cleanup()
    t = await createTestIssuer({ REFRESH_GRACE: '0' })
    await t.addUser('alice', PASSWORD)
    const g1 = await login()
    const g2 = await rotate(g1.refreshToken)
    await expectErrorBody(await refresh(g1.refreshToken), 401, 'reuse_detected')
    await expectErrorBody(await refresh(g2.refreshToken), 401, 'invalid_token')
  })

  it('does not let the grace window resurrect a session that was logged out', async () => {
    const g1 = await login()
    const g2 = await rotate(g1.refreshToken)
    expect((await logout(g2.refreshToken)).status).toBe(200)
    const retry = await refresh(g1.refreshToken) // within grace, but the family is gone
    expect(retry.status).toBe(401)
    expect(await retry.text()).not.toContain('rt_')
  })
})

describe('logout', () => {
  it('is idempotent on replay, and the token never refreshes again', async () => {
    const pair = await login()
    for (let i = 0; i < 3; i++) {
      const res = await logout(pair.refreshToken)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ ok: true })
    }
    await expectErrorBody(await refresh(pair.refreshToken), 401, 'invalid_token')
    t.advance(60_000)
    await expectErrorBody(await refresh(pair.refreshToken), 401, 'invalid_token')
  })

  it('answers an unknown or malformed token exactly like a live one (RFC 7009)', async () => {
    const pair = await login()
    const texts = new Set<string>()
    for (const token of [pair.refreshToken, `rt_${'B'.repeat(43)}`, 'garbage', 'rt_short']) {
      const res = await logout(token)
      expect(res.status).toBe(200)
      texts.add(await res.text())
    }
    expect([...texts]).toEqual(['{"ok":true}'])
  })
})

describe("one user's token against another user's session", () => {
  it("cannot end bob's session by logout, session delete or logout-all", async () => {
    const alice = await login('alice', PASSWORD)
    const bob = await login('bob', OTHER_PASSWORD)
    const [bobSession] = await liveSessions(bob.accessToken)
    expect(bobSession).toBeDefined()

    expect((await logout(alice.refreshToken)).status).toBe(200)
    const aliceAgain = await login('alice', PASSWORD)
    await expectErrorBody(
      await t.request(`/auth/sessions/${bobSession}`, {
        method: 'DELETE',
        headers: bearer(aliceAgain.accessToken),
      }),
      404,
      'not_found',
    )
    const all = await t.request('/auth/logout-all', {
      method: 'POST',
      headers: bearer(aliceAgain.accessToken),
    })
    expect(await all.json()).toEqual({ ok: true, revoked: 1 })

    expect(await liveSessions(bob.accessToken)).toEqual([bobSession])
    expect((await refresh(bob.refreshToken)).status).toBe(200)
  })
})

describe('tokens presented in the wrong place', () => {
  it('refuses a refresh token as a Bearer access token', async () => {
    const pair = await login()
    const res = await t.request('/auth/sessions', { headers: bearer(pair.refreshToken) })
    await expectErrorBody(res, 401, 'invalid_token')
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
    // Presenting it there did not consume it.
    expect((await refresh(pair.refreshToken)).status).toBe(200)
  })

  it('refuses an access token as a refresh token, without touching the session', async () => {
    const pair = await login()
    // A wrong kind of token is a bad token (401) on refresh, and ends nothing on logout (RFC 7009).
    await expectErrorBody(await refresh(pair.accessToken), 401, 'invalid_token')
    expect((await logout(pair.accessToken)).status).toBe(200)
    const [h, p] = pair.accessToken.split('.') as [string, string]
    await expectErrorBody(await refresh(`${h.slice(0, 20)}.${p.slice(0, 20)}.sig`), 401, 'invalid_token')
    expect((await refresh(pair.refreshToken)).status).toBe(200)
  })

  it('refuses forged and altered access tokens at the Bearer endpoints', async () => {
    const pair = await login()
    const claims = decodeJwt(pair.accessToken)
    const header = decodeProtectedHeader(pair.accessToken)
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const [h, , s] = pair.accessToken.split('.') as [string, string, string]

    const jwk = (await (await t.request('/.well-known/jwks.json')).json()) as { keys: object[] }
    // The classic confusion: HS256 keyed with the issuer's public key as a PEM string.
    const publicPem = createPublicKey({ key: jwk.keys[0] as JsonWebKey, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString()
    const hsHeader = b64({ ...header, alg: 'HS256' })
    const hsBody = b64({ ...claims, roles: ['admin'] })
    const hsSig = createHmac('sha256', publicPem).update(`${hsHeader}.${hsBody}`).digest('base64url')

    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    const foreign = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: header.kid, typ: 'at+jwt' })
      .sign(otherKey)
    const wrongIssuer = await new SignJWT({ ...claims, iss: `${TEST_ISSUER_URL}.evil` })
      .setProtectedHeader({ alg: 'RS256', kid: header.kid, typ: 'at+jwt' })
      .sign(otherKey)

    const forged = [
      `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`,
      `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.${s}`,
      `${hsHeader}.${hsBody}.${hsSig}`,
      `${h}.${b64({ ...claims, sub: 'someone-else' })}.${s}`,
      `${b64({ ...header, typ: 'JWT' })}.${pair.accessToken.split('.')[1]}.${s}`,
      foreign,
      wrongIssuer,
      `${h}.${pair.accessToken.split('.')[1]}`,
    ]
    for (const token of forged) {
      const res = await t.request('/auth/sessions', { headers: bearer(token) })
      const body = await expectErrorBody(res, 401)
      expect(['invalid_token', 'missing_token']).toContain(body.code)
    }
    expect((await t.request('/auth/sessions', { headers: bearer(pair.accessToken) })).status).toBe(200)
  })
})

describe('a user changed while logged in', () => {
  const userId = async (username: string) => (await findUserByUsername(t.store.records, username))!.id

  it('refreshes with the roles the user has now', async () => {
    const pair = await login()
    expect(decodeJwt(pair.accessToken).roles).toEqual(['user'])
    await t.store.records.update(
      USERS,
      { id: await userId('alice') },
      { roles: ['admin'], updatedAt: t.now.ms },
    )
    expect(decodeJwt((await rotate(pair.refreshToken)).accessToken).roles).toEqual(['admin'])
  })

  it('ends the session of a user disabled since login, at the next refresh or grace retry', async () => {
    const pair = await login()
    const next = await rotate(pair.refreshToken)
    await t.store.records.update(
      USERS,
      { id: await userId('alice') },
      { disabled: true, updatedAt: t.now.ms },
    )
    // The grace retry of the consumed token is refused as well, and ends the session.
    await expectErrorBody(await refresh(pair.refreshToken), 401, 'invalid_token')
    await t.store.records.update(
      USERS,
      { id: await userId('alice') },
      { disabled: false, updatedAt: t.now.ms },
    )
    await expectErrorBody(await refresh(next.refreshToken), 401, 'invalid_token')
    await expectErrorBody(
      await t.request('/auth/sessions', { headers: bearer(next.accessToken) }),
      401,
      'invalid_token',
    )
    expect(t.logs.some((l) => l.includes('"refresh_reuse_detected"'))).toBe(false)
  })
})
