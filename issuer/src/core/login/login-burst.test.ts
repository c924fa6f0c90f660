// A burst of parallel guesses must not get more tries than the lockout allows: the limit is
// only real if an attempt is counted before the slow hash, not after it.
import { afterEach, describe, expect, it } from 'vitest'
import { createTestIssuer, type TestIssuer } from '../../testing/test-issuer.ts'

let t: TestIssuer | undefined
afterEach(async () => {
  await t?.cleanup()
  t = undefined
})

describe('lockout under a burst of parallel guesses', () => {
  it('evaluates at most LOGIN_MAX_FAILURES_PER_ACCOUNT guesses for one account', async () => {
    t = await createTestIssuer({
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '5',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
    })
    await t.addUser('alice', 'correct horse battery staple')
    const issuer = t
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        issuer.request('/auth/login', {
          method: 'POST',
          json: { username: 'alice', password: `guess-${i}` },
          headers: { 'x-forwarded-for': `100.64.0.${i}` },
        }),
      ),
    )
    const statuses = answers.map((r) => r.status).sort()
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(25).fill(429)])
  })

  it('evaluates at most LOGIN_MAX_FAILURES_PER_ADDRESS guesses from one address', async () => {
    t = await createTestIssuer({
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '5',
    })
    const issuer = t
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        issuer.request('/auth/login', {
          method: 'POST',
          json: { username: `user${i}`, password: 'Summer2026!' },
          headers: { 'x-forwarded-for': '198.51.100.1' },
        }),
      ),
    )
    const statuses = answers.map((r) => r.status).sort()
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(25).fill(429)])
  })

  it('does not count successful logins against the address', async () => {
    t = await createTestIssuer({ LOGIN_MAX_FAILURES_PER_ADDRESS: '3' })
    await t.addUser('alice', 'correct horse battery staple')
    for (let i = 0; i < 6; i++) {
      const res = await t.request('/auth/login', {
        method: 'POST',
        json: { username: 'alice', password: 'correct horse battery staple' },
        headers: { 'x-forwarded-for': '198.51.100.2' },
      })
      expect(res.status).toBe(200)
    }
  })
})
