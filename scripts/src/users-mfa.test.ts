// `pnpm users mfa <name> [--reset]`: an operator lists a user's second factors and, for a lost
// phone, removes them all, ending every session, with a security event and no secret printed.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { findUserByUsername, RECOVERY_CODES, type Store, TOTP_FACTORS } from '@tokensmith/issuer/admin'
import { collectOutput } from '@tokensmith/issuer/testing'
import { describe, expect, it } from 'vitest'
import { useTempDatabase } from './shared/temp-database.ts'

const script = fileURLToPath(new URL('./users.ts', import.meta.url))
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const db = useTempDatabase('tokensmith-users-mfa-')

async function users(args: string[], input?: string) {
  const child = spawn(process.execPath, ['--import', tsx, script, ...args], {
    cwd: db.dir,
    env: { ...process.env, DATABASE_URL: db.url, SCRYPT_LOG_N: '12' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const output = collectOutput(child)
  child.stdin.end(input)
  return output
}

async function startSession(store: Store, userId: string): Promise<string> {
  const now = Date.now()
  const session = await store.createSession({
    id: randomUUID(),
    userId,
    clientId: 'test',
    createdAt: now,
    absoluteExpiresAt: now + 3_600_000,
    clientIp: null,
    userAgent: null,
    scope: [],
    publicClient: true,
    tokenHash: randomUUID().replaceAll('-', '').padEnd(64, '0'),
    idleExpiresAt: now + 3_600_000,
  })
  return session.id
}

const SEALED = 'v1.AAAAAAAAAAAAAAAA.c2VjcmV0.AAAAAAAAAAAAAAAAAAAAAA'
const HASHES = ['a', 'b', 'c'].map((ch) => ch.repeat(64))

describe('pnpm users mfa', { timeout: 60_000 }, () => {
  it('lists the factors, and --reset removes them all and ends every session', async () => {
    expect((await users(['add', 'alice', '--role', 'user', '--password-stdin'], 'pw')).code).toBe(0)
    const user = await db.withStore((s) => findUserByUsername(s.records, 'alice'))
    if (user === null) throw new Error('alice missing')
    expect((await users(['mfa', 'alice'])).stdout).toBe(
      'authenticator app (TOTP): none\npasskeys: none\nrecovery codes left: 0\n',
    )

    const sessionId = await db.withStore(async (s) => {
      const now = Date.now()
      await s.records.insert(TOTP_FACTORS, {
        userId: user.id,
        sealedSecret: SEALED,
        confirmedAt: now,
        createdAt: now,
      })
      for (const [i, hash] of HASHES.entries()) {
        await s.records.insert(RECOVERY_CODES, {
          userId: user.id,
          hash,
          createdAt: now,
          usedAt: i === 0 ? now : null,
        })
      }
      return startSession(s, user.id)
    })
    const listed = await users(['mfa', 'Alice'])
    expect(listed).toMatchObject({ code: 0, stderr: '' })
    expect(listed.stdout).toBe(
      'authenticator app (TOTP): confirmed\npasskeys: none\nrecovery codes left: 2\n',
    )
    expect(listed.stdout).not.toContain(SEALED)

    const reset = await users(['mfa', 'alice', '--reset'])
    expect(reset).toMatchObject({
      code: 0,
      stdout: 'Removed 4 second factors of alice; 1 session revoked.\n',
    })
    // The security event, counts only: no sealed secret, no hash.
    expect(reset.stderr).toMatch(/"event":"mfa_reset".*"removed":4/)
    for (const secret of [SEALED, ...HASHES]) expect(reset.stderr + reset.stdout).not.toContain(secret)
    await db.withStore(async (s) => {
      expect(await s.records.get(TOTP_FACTORS, { userId: user.id })).toBeNull()
      expect(await s.getSession(sessionId)).toMatchObject({ revokedReason: 'mfa_reset' })
    })
    expect((await users(['mfa', 'alice'])).stdout).toMatch(/^authenticator app \(TOTP\): none\n/)
  })

  it('refuses --reset elsewhere and unknown users', async () => {
    expect(await users(['list', '--reset'])).toMatchObject({
      code: 2,
      stderr: 'users: --reset applies to mfa only\n',
    })
    expect(await users(['mfa', 'nobody'])).toMatchObject({ code: 2, stderr: 'users: no user "nobody"\n' })
  })
})
