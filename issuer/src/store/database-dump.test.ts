// An attacker with a copy of the database file: every table read as text must hold no usable
// refresh token, no access token and no password, and what it does hold cannot be turned into
// a session (hashes are not tokens; a sealed successor opens only with the token before it).

import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashRefreshToken } from '../core/tokens/refresh-token.ts'
import { createTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'

const PASSWORD = 'correct horse battery staple'
let t: TestIssuer
const handedOut: string[] = []
let dump = ''
let tokenHashes: string[] = []

beforeAll(async () => {
  t = await createTestIssuer()
  await t.addUser('alice', PASSWORD)
  const login = (await (
    await t.request('/auth/login', { method: 'POST', json: { username: 'alice', password: PASSWORD } })
  ).json()) as { accessToken: string; refreshToken: string }
  handedOut.push(login.accessToken, login.refreshToken)
  let token = login.refreshToken
  for (let i = 0; i < 3; i++) {
    const next = (await (
      await t.request('/auth/refresh', { method: 'POST', json: { refreshToken: token } })
    ).json()) as { accessToken: string; refreshToken: string }
    handedOut.push(next.accessToken, next.refreshToken)
    token = next.refreshToken
  }
  // Read the file the way a thief would: every row of every table, as text.
  const db = new Database(join(t.dir, 'issuer.db'), { readonly: true })
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
  dump = tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n')
  tokenHashes = (db.prepare('SELECT hash FROM refresh_tokens').all() as { hash: string }[]).map((r) => r.hash)
  db.close()
})
afterAll(async () => {
  await t.cleanup()
})

describe('a stolen copy of the database', () => {
  it('holds no refresh token, access token or password in any column', () => {
    expect(dump.length).toBeGreaterThan(500)
    for (const secret of [...handedOut, PASSWORD]) expect(dump).not.toContain(secret)
    expect(dump).not.toMatch(/rt_[A-Za-z0-9_-]{20}|eyJ/)
    expect(dump).toMatch(/\$scrypt\$ln=\d+,r=8,p=1\$/)
  })

  it('holds only SHA-256 hashes of refresh tokens, which are not tokens themselves', async () => {
    const refreshTokens = handedOut.filter((s) => s.startsWith('rt_'))
    expect(new Set(tokenHashes)).toEqual(new Set(refreshTokens.map(hashRefreshToken)))
    for (const hash of tokenHashes) {
      for (const presented of [hash, `rt_${Buffer.from(hash, 'hex').toString('base64url')}`]) {
        const res = await t.request('/auth/refresh', { method: 'POST', json: { refreshToken: presented } })
        expect(res.status).toBe(401)
      }
    }
    // The newest token (held only by the client) still works: the probes above changed nothing.
    const newest = refreshTokens.at(-1) as string
    expect(
      (await t.request('/auth/refresh', { method: 'POST', json: { refreshToken: newest } })).status,
    ).toBe(200)
  })
})
