// Brute force against /auth/login: credential stuffing (many names from one address), password
// spraying (one password over many accounts), and user enumeration by answer or by timing.
import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { expectErrorBody, leakedLines, median, observable } from '../../testing/http-probe.ts'
import { createTestIssuer, type TestIssuer } from '../../testing/test-issuer.ts'
import { createPasswordHasher } from '../passwords/password-hasher.ts'
import { createUser } from '../users/create-user.ts'

const PASSWORD = 'correct horse battery staple'
const SPRAYED = 'Summer2026!'
let open: TestIssuer[] = []
const passwordsTried = new Set<string>([PASSWORD, SPRAYED])

async function issuer(env: Record<string, string> = {}): Promise<TestIssuer> {
  const t = await createTestIssuer(env)
  open.push(t)
  return t
}

afterEach(async () => {
  // Whatever the attack, the captured logs hold no password, token or hash.
  for (const t of open) expect(leakedLines(t.logs, [...passwordsTried])).toEqual([])
  await Promise.all(open.map((t) => t.cleanup()))
  open = []
})

function attempt(t: TestIssuer, username: string, password: string, ip: string): Promise<Response> {
  passwordsTried.add(password)
  return t.request('/auth/login', {
    method: 'POST',
    json: { username, password },
    headers: { 'x-forwarded-for': ip },
  })
}

describe('credential stuffing: many usernames from one address', () => {
  it('trips the per-address limit, and a real user elsewhere still logs in', async () => {
    const t = await issuer({ LOGIN_MAX_FAILURES_PER_ADDRESS: '10', LOGIN_MAX_FAILURES_PER_ACCOUNT: '5' })
    await t.addUser('alice', PASSWORD)
    const bot = '198.51.100.66'
    const statuses: number[] = []
    for (let i = 0; i < 15; i++) {
      const res = await attempt(t, `victim${i}`, `leaked-${i}`, bot)
      statuses.push(res.status)
      if (res.status === 429) {
        await expectErrorBody(res, 429, 'rate_limited')
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      }
    }
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(5).fill(429)])
    // Even the right password is refused from the blocked address: the limit is checked first,
    // so a stuffing list cannot learn which pair was right.
    await expectErrorBody(await attempt(t, 'alice', PASSWORD, bot), 429, 'rate_limited')
    expect((await attempt(t, 'alice', PASSWORD, '203.0.113.5')).status).toBe(200)
    expect(t.logs.some((l) => l.includes('"login_lockout"') && l.includes('"scope":"address"'))).toBe(true)
  })

  it('does not let a rotating X-Forwarded-For escape the address limit when the proxy is not trusted', async () => {
    const t = await issuer({ TRUST_PROXY: 'false', LOGIN_MAX_FAILURES_PER_ADDRESS: '5' })
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) {
      statuses.push((await attempt(t, `user${i}`, 'guess', `10.0.${i}.${i}`)).status)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429])
  })
})

describe('password spraying: one password over many accounts', () => {
  it('trips the per-address limit when sprayed from one address', async () => {
    const t = await issuer({ LOGIN_MAX_FAILURES_PER_ADDRESS: '8' })
    for (let i = 0; i < 8; i++) await t.addUser(`staff${i}`, PASSWORD)
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push((await attempt(t, `staff${i}`, SPRAYED, '192.0.2.1')).status)
    statuses.push((await attempt(t, 'staff0', SPRAYED, '192.0.2.1')).status)
    expect(statuses).toEqual([...Array(8).fill(401), 429])
  })

  it('trips the per-account limit when sprayed from a botnet, one address per attempt', async () => {
    const t = await issuer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000' })
    const accounts = ['ann', 'ben', 'cat', 'dan']
    for (const name of accounts) await t.addUser(name, PASSWORD)
    const rounds = ['Spring2026!', 'Summer2026!', 'Autumn2026!', 'Winter2026!', PASSWORD]
    const seen = new Map<string, number[]>()
    let ip = 0
    for (const password of rounds) {
      for (const name of accounts) {
        ip++
        const res = await attempt(t, name, password, `100.64.${ip >> 8}.${ip & 255}`)
        seen.set(name, [...(seen.get(name) ?? []), res.status])
      }
    }
    // Three failures lock each account; the fifth round's right password is refused too.
    for (const name of accounts) expect(seen.get(name)).toEqual([401, 401, 401, 429, 429])
    expect(
      t.logs.filter((l) => l.includes('"login_lockout"') && l.includes('"scope":"account"')),
    ).toHaveLength(accounts.length)
  })
})

describe('answers reveal nothing', () => {
  it('answers unknown user and wrong password identically, and locked accounts identically', async () => {
    const t = await issuer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' })
    await t.addUser('alice', PASSWORD)
    const ip = '203.0.113.9'
    const wrong = await observable(await attempt(t, 'alice', 'not-it', ip))
    const unknown = await observable(await attempt(t, 'mallory', 'not-it', ip))
    expect(wrong.status).toBe(401)
    expect(unknown).toEqual(wrong)

    for (let i = 0; i < 3; i++) {
      await attempt(t, 'alice', `guess-${i}`, ip)
      await attempt(t, 'mallory', `guess-${i}`, ip)
    }
    const lockedRight = await observable(await attempt(t, 'alice', PASSWORD, ip))
    const lockedWrong = await observable(await attempt(t, 'alice', 'not-it', ip))
    const lockedUnknown = await observable(await attempt(t, 'mallory', 'not-it', ip))
    expect(lockedRight.status).toBe(429)
    expect(lockedRight.headers).toContain('retry-after: 900')
    expect(lockedWrong).toEqual(lockedRight)
    expect(lockedUnknown).toEqual(lockedRight)
  })

  it('costs the same scrypt work for an unknown user as for a wrong password (medians)', async () => {
    // A realistic cost, so a skipped hash would stand out: N = 2^12, about 4 MiB and some ms
    // per hash. The stored hash is made at the same cost, as it would be after any login.
    const logN = 12
    const t = await issuer({
      SCRYPT_LOG_N: String(logN),
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
    })
    const hasher = createPasswordHasher({ cost: { logN, r: 8, p: 1 } })
    await createUser(t.store.records, {
      id: randomUUID(),
      username: 'alice',
      passwordHash: await hasher.hash(PASSWORD),
      roles: [],
      createdAt: t.now.ms,
    })
    const time = async (username: string): Promise<number> => {
      const start = process.hrtime.bigint()
      const res = await attempt(t, username, 'wrong-password', '203.0.113.77')
      await res.arrayBuffer()
      expect(res.status).toBe(401)
      return Number(process.hrtime.bigint() - start) / 1e6
    }
    // Warm up both paths (dummy hash creation, statement caches, JIT).
    for (let i = 0; i < 4; i++) await Promise.all([time('alice'), time('nobody-here')])
    const existing: number[] = []
    const missing: number[] = []
    // Interleaved, alternating which goes first, so drift on a noisy machine hits both alike.
    // One unknown name throughout, so both paths update an existing counter row: only the
    // user lookup and the hash differ.
    for (let i = 0; i < 40; i++) {
      if (i % 2 === 0) {
        existing.push(await time('alice'))
        missing.push(await time('nobody-here'))
      } else {
        missing.push(await time('nobody-here'))
        existing.push(await time('alice'))
      }
    }
    const a = median(existing)
    const b = median(missing)
    const tolerance = Math.max(5, 0.25 * Math.max(a, b))
    console.log(
      `login timing, N=2^${logN}: existing user ${a.toFixed(2)} ms, unknown user ${b.toFixed(2)} ms (median of 40, tolerance ${tolerance.toFixed(2)} ms)`,
    )
    expect(Math.abs(a - b)).toBeLessThanOrEqual(tolerance)
  })
})
