// One issuer through a whole abuse run (every attack of this folder in small), then its logs are
// scanned: no refresh token, no JWT, no password that was sent, no scrypt hash. Operators ship
// logs to places with weaker access control than the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findUserByUsername } from '../core/users/find-user-by-username.ts'
import { leakedLines } from '../testing/http-probe.ts'
import { createTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'

const PASSWORD = 'correct horse battery staple'
const GUESSES = ['hunter2-guess', 'Summer2026!', 'p@ssw0rd-leaked', 'correct horse battery stapl']
let t: TestIssuer
const secrets: string[] = [PASSWORD, ...GUESSES]

beforeAll(async () => {
  t = await createTestIssuer({
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
    COOKIE_ORIGINS: 'https://app.example.com',
  })
  await t.addUser('alice', PASSWORD, ['admin'])
  const user = await findUserByUsername(t.store.records, 'alice')
  if (user) secrets.push(user.passwordHash, user.passwordHash.split('$').pop() ?? '')
})
afterAll(async () => {
  await t.cleanup()
})

interface Pair {
  accessToken: string
  refreshToken: string
}

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  t.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })

async function abuseRun(): Promise<void> {
  const login = async (password: string, ip = '203.0.113.1') =>
    post('/auth/login', JSON.stringify({ username: 'alice', password }), { 'x-forwarded-for': ip })

  // A session, rotated, replayed after the grace window (reuse detected).
  const first = (await (await login(PASSWORD)).json()) as Pair
  const second = (await (
    await post('/auth/refresh', JSON.stringify({ refreshToken: first.refreshToken }))
  ).json()) as Pair
  secrets.push(first.accessToken, first.refreshToken, second.accessToken, second.refreshToken)
  t.advance(15_000)
  await post('/auth/refresh', JSON.stringify({ refreshToken: first.refreshToken }))
  await post('/auth/refresh', JSON.stringify({ refreshToken: second.refreshToken }))

  // A fresh session, its tokens in wrong places, then logged out twice.
  const third = (await (await login(PASSWORD, '203.0.113.2')).json()) as Pair
  secrets.push(third.accessToken, third.refreshToken)
  await t.request('/auth/sessions', { headers: { authorization: `Bearer ${third.refreshToken}` } })
  await t.request('/auth/sessions', { headers: { authorization: `Bearer ${third.accessToken}x` } })
  await post('/auth/refresh', JSON.stringify({ refreshToken: third.accessToken }))
  await t.request(`/auth/sessions/${third.refreshToken}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${third.accessToken}` },
  })
  await post('/auth/logout', JSON.stringify({ refreshToken: third.refreshToken }))
  await post('/auth/logout', JSON.stringify({ refreshToken: third.refreshToken }))

  // Brute force to lockout, then the right password while locked.
  for (const guess of GUESSES) await login(guess)
  await login(PASSWORD)

  // Hostile bodies that carry secrets in broken JSON, oversize and polluting shapes.
  await post('/auth/login', `{"username":"alice","password":"${GUESSES[0]}"`)
  await post('/auth/login', `{"username":"alice","password":"${GUESSES[1]}","__proto__":{}}`)
  await post('/auth/login', `{"username":"alice","password":"${GUESSES[2]}","pad":"${'x'.repeat(9000)}"}`)
  await post('/auth/refresh', `{"refreshToken":"${third.refreshToken}",}`)
  await post('/auth/refresh', `{"refreshToken":"${third.refreshToken}"}`, { 'content-type': 'text/plain' })

  // A cookie from the wrong origin, then from the right one.
  await t.request('/auth/refresh', {
    method: 'POST',
    headers: { cookie: `tokensmith_rt=${second.refreshToken}`, origin: 'https://evil.example' },
  })
  await t.request('/auth/refresh', {
    method: 'POST',
    headers: {
      cookie: `tokensmith_rt=${second.refreshToken}`,
      origin: 'https://app.example.com',
      'x-requested-with': 'fetch',
    },
  })

  // The store failing mid-request: the error path logs too.
  await t.store.close()
  await login(PASSWORD, '203.0.113.3')
  await post('/auth/refresh', JSON.stringify({ refreshToken: second.refreshToken }))
}

describe('logs after a whole abuse run', () => {
  beforeAll(abuseRun)

  it('recorded the run (security events and errors included)', () => {
    const events = t.logs.map((l) => (JSON.parse(l) as { event: string }).event)
    for (const e of [
      'login',
      'refresh',
      'refresh_reuse_detected',
      'logout',
      'login_lockout',
      'login_failed',
    ]) {
      expect(events).toContain(e)
    }
    expect(events.some((e) => e === 'store_unavailable' || e === 'unhandled_error')).toBe(true)
  })

  it('contain no token, password or password hash', async () => {
    expect(t.logs.length).toBeGreaterThan(10)
    expect(leakedLines(t.logs, secrets)).toEqual([])
    const text = t.logs.join('')
    for (const secret of secrets) expect(text).not.toContain(secret)
    expect(text).not.toMatch(/rt_[A-Za-z0-9_-]{8}|eyJ|\$scrypt\$/)
  })
})
