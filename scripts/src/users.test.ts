import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  CONSENTS,
  createPasswordHasher,
  findUserByUsername,
  type Store,
  type UserRecord,
} from '@tokensmith/issuer/admin'
import { type CollectedOutput, collectOutput } from '@tokensmith/issuer/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { inParallel } from './shared/in-parallel.ts'
import { useTempDatabase } from './shared/temp-database.ts'

const script = fileURLToPath(new URL('./users.ts', import.meta.url))
// By absolute URL: the CLI runs in a temp directory (to show where the default database goes),
// from which a bare `--import tsx` would not resolve.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const db = useTempDatabase('tokensmith-users-')
const withStore = db.withStore
/** Everything the CLI wrote, so one check can prove no password or hash ever reached the output. */
let transcript: string

type Run = CollectedOutput

async function users(
  args: string[],
  opts: { input?: string | Buffer; env?: Record<string, string> } = {},
): Promise<Run> {
  const child = spawn(process.execPath, ['--import', tsx, script, ...args], {
    cwd: db.dir,
    env: { ...process.env, DATABASE_URL: db.url, SCRYPT_LOG_N: '12', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const output = collectOutput(child)
  child.stdin.on('error', () => {}) // the CLI may stop reading early (oversized input)
  child.stdin.end(opts.input)
  const run = await output
  transcript += run.stdout + run.stderr
  return run
}

/**
 * Runs the CLI under `script`, which gives it a pseudo-terminal, and types each answer once its
 * prompt shows: by then readline has the terminal in raw mode, so anything echoed is the CLI's.
 */
function usersOnTerminal(args: string[], answers: string[]) {
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`
  const command = [process.execPath, '--import', tsx, script, ...args].map(quote).join(' ')
  return new Promise<Run>((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: db.dir,
      env: { ...process.env, DATABASE_URL: db.url, SCRYPT_LOG_N: '12' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let typed = 0
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      const prompts = stdout.match(/Password: |Confirm password: /g)?.length ?? 0
      while (typed < prompts && typed < answers.length) child.stdin.write(answers[typed++])
    })
    child.stderr.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => {
      transcript += stdout
      resolve({ code, stdout: stdout.replaceAll('\r\n', '\n'), stderr: '' })
    })
  })
}

async function startSession(store: Store, userId: string, clientId = 'test'): Promise<string> {
  const now = Date.now()
  const session = await store.createSession({
    id: randomUUID(),
    userId,
    clientId,
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

const hasher = createPasswordHasher({ cost: { logN: 12, r: 8, p: 1 } })

beforeEach(() => {
  transcript = ''
})

// Every case starts Node processes: generous, since the suite shares two cores with others.
describe('pnpm users', { timeout: 120_000 }, () => {
  it('adds a user from --password-stdin and lists it without any secret', async () => {
    const added = await users(
      ['add', ' Alice ', '--role', 'admin', '--role', 'ops:read', '--role', 'admin', '--password-stdin'],
      {
        input: 'correct horse\n',
      },
    )
    expect(added).toMatchObject({ code: 0, stderr: '' })
    expect(added.stdout).toBe('Created user alice with roles admin, ops:read.\n')

    const user = await withStore((s) => findUserByUsername(s.records, 'alice'))
    expect(user).toMatchObject({ username: 'alice', roles: ['admin', 'ops:read'], disabled: false })
    expect(user?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(user?.passwordHash).toMatch(/^\$scrypt\$ln=12,r=8,p=1\$/)
    // One trailing newline is the pipe's, not the password's.
    expect(await hasher.verify('correct horse', user?.passwordHash ?? null)).toEqual({
      ok: true,
      needsRehash: false,
    })

    await users(['add', 'bob', '--role', 'reader', '--password-stdin'], { input: 'pw\r\n' })
    const list = await users(['list'])
    expect(list.code).toBe(0)
    const lines = list.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^USERNAME\s+ROLES\s+DISABLED\s+CREATED\s+EMAIL\s+VERIFIED\s+NAME$/)
    expect(lines[1]).toMatch(/^alice\s+admin,ops:read\s+no\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+-\s+-\s+-$/)
    expect(lines[2]).toMatch(/^bob\s+reader\s+no\s+\d{4}-/)
    expect(lines).toHaveLength(3)
    const bob = await withStore((s) => findUserByUsername(s.records, 'bob'))
    expect((await hasher.verify('pw', bob?.passwordHash ?? null)).ok).toBe(true)

    for (const secret of ['correct horse', '$scrypt$', user?.passwordHash ?? '-', bob?.passwordHash ?? '-']) {
      expect(transcript).not.toContain(secret)
    }
  })

  it('adds a user with a profile, updates it (set, change, clear with an empty value) and lists it', async () => {
    const added = await users(
      [
        'add',
        'ada',
        '--role',
        'admin',
        '--password-stdin',
        '--email',
        'ada@example.com',
        '--email-verified',
        '--name',
        'Ada Lovelace',
        '--given-name',
        'Ada',
      ],
      { input: 'pw' },
    )
    expect(added).toMatchObject({ code: 0, stderr: '', stdout: 'Created user ada with roles admin.\n' })
    const profile = (u: UserRecord | null) =>
      u && {
        email: u.email,
        emailVerified: u.emailVerified,
        name: u.name,
        givenName: u.givenName,
        familyName: u.familyName,
      }
    const ada = () => withStore((s) => findUserByUsername(s.records, 'ada')).then(profile)
    expect(await ada()).toEqual({
      email: 'ada@example.com',
      emailVerified: true,
      name: 'Ada Lovelace',
      givenName: 'Ada',
      familyName: null,
    })
    // Without profile options: none, and an address given alone is unverified.
    await users(['add', 'bob', '--role', 'reader', '--password-stdin'], { input: 'pw' })
    await users(['add', 'cy', '--role', 'reader', '--password-stdin', '--email', 'cy@example.com'], {
      input: 'pw',
    })
    expect(await withStore((s) => findUserByUsername(s.records, 'bob')).then(profile)).toEqual({
      email: null,
      emailVerified: false,
      name: null,
      givenName: null,
      familyName: null,
    })
    expect(await withStore((s) => findUserByUsername(s.records, 'cy'))).toMatchObject({
      email: 'cy@example.com',
      emailVerified: false,
    })
    const listed = (await users(['list'])).stdout.trimEnd().split('\n')
    expect(listed[1]).toMatch(/^ada\s+admin\s+no\s+\S+Z\s+ada@example\.com\s+yes\s+Ada Lovelace$/)
    expect(listed[2]).toMatch(/^bob\s+reader\s+no\s+\S+Z\s+-\s+-\s+-$/)
    expect(listed[3]).toMatch(/^cy\s+reader\s+no\s+\S+Z\s+cy@example\.com\s+no\s+-$/)

    // A new address is unverified until said otherwise; what the command does not name is kept.
    expect(
      await users(['update', 'Ada', '--email', 'ada@example.org', '--family-name', 'King']),
    ).toMatchObject({
      code: 0,
      stderr: '',
      stdout: 'Updated ada: e-mail ada@example.org (unverified); family name King.\n',
    })
    expect(await ada()).toEqual({
      email: 'ada@example.org',
      emailVerified: false,
      name: 'Ada Lovelace',
      givenName: 'Ada',
      familyName: 'King',
    })
    expect(await users(['update', 'ada', '--email-verified', '--name', ''])).toMatchObject({
      code: 0,
      stdout: 'Updated ada: e-mail verified; name cleared.\n',
    })
    expect(await ada()).toMatchObject({ email: 'ada@example.org', emailVerified: true, name: null })
    // The same address again keeps its verification; --email-verified with a new one verifies it.
    expect((await users(['update', 'ada', '--email', 'ada@example.org'])).stdout).toBe(
      'Updated ada: e-mail ada@example.org (verified).\n',
    )
    expect(
      (
        await users([
          'update',
          'ada',
          '--email',
          'ada@example.net',
          '--email-verified',
          '--given-name',
          'Augusta',
        ])
      ).stdout,
    ).toBe('Updated ada: e-mail ada@example.net (verified); given name Augusta.\n')
    expect(
      await users(['update', 'ada', '--email', '', '--given-name', '', '--family-name', '']),
    ).toMatchObject({
      code: 0,
      stdout: 'Updated ada: e-mail cleared; given name cleared; family name cleared.\n',
    })
    expect(await ada()).toEqual({
      email: null,
      emailVerified: false,
      name: null,
      givenName: null,
      familyName: null,
    })
    expect((await withStore((s) => findUserByUsername(s.records, 'ada')))?.roles).toEqual(['admin'])
  })

  it('refuses a bad profile and an update with nothing to change with exit 2, changing nothing', async () => {
    await users(['add', 'ada', '--role', 'admin', '--password-stdin', '--name', 'Ada'], { input: 'pw' })
    const before = await withStore((s) => findUserByUsername(s.records, 'ada'))
    const cases: [string[], RegExp][] = [
      [['update', 'ada'], /^users: update needs something to change: see --help\n$/],
      [
        ['update', 'ada', '--email', 'ada at example.com'],
        /^users: invalid --email "ada at example\.com": must be an e-mail address such as ada@example\.com\n$/,
      ],
      [
        ['update', 'ada', '--email', `${'a'.repeat(250)}@example.com`],
        /^users: invalid --email ".*": must be at most 254/,
      ],
      [['update', 'ada', '--name', '   '], /^users: invalid --name " {3}": must not be empty\n$/],
      [
        ['update', 'ada', '--given-name', 'A\u0007da'],
        /^users: invalid --given-name "A\\u0007da": must not contain control/,
      ],
      [
        ['update', 'ada', '--family-name', 'x'.repeat(257)],
        /^users: invalid --family-name ".*": must be at most 256/,
      ],
      [
        ['update', 'ada', '--email-verified', '--email-unverified'],
        /^users: --email-verified and --email-unverified: give one\n$/,
      ],
      [
        ['update', 'ada', '--email', '', '--email-verified'],
        /^users: --email-verified and an empty --email: give one\n$/,
      ],
      [['update', 'ada', '--email-verified'], /^users: ada has no e-mail address to verify: give --email\n$/],
      [['update', 'ghost', '--name', 'Ghost'], /^users: no user "ghost"\n$/],
      [['update'], /^users: update needs a username\n$/],
      [
        ['add', 'bob', '--role', 'r', '--password-stdin', '--email-verified'],
        /^users: --email-verified needs an --email to verify\n$/,
      ],
      [
        ['add', 'bob', '--role', 'r', '--password-stdin', '--email', 'bob@'],
        /^users: invalid --email "bob@"/,
      ],
      [['list', '--name', 'x'], /^users: --name applies to add and update only\n$/],
      [['disable', 'ada', '--email-verified'], /^users: --email-verified applies to add and update only\n$/],
      [['update', 'ada', '--role', 'admin'], /^users: --role applies to add only\n$/],
    ]
    const runs = await inParallel(cases, ([args]) => users(args, { input: 'pw' }))
    cases.forEach(([args, stderr], i) => {
      expect(runs[i]?.code, args.join(' ')).toBe(2)
      expect(runs[i]?.stdout, args.join(' ')).toBe('')
      expect(runs[i]?.stderr, args.join(' ')).toMatch(stderr)
    })
    expect(await withStore((s) => findUserByUsername(s.records, 'ada'))).toEqual(before)
    expect(await withStore((s) => findUserByUsername(s.records, 'bob'))).toBeNull()
  })

  it('says so when there are no users, on a database it creates at the default path', async () => {
    const list = await users(['list'], { env: { DATABASE_URL: '' } })
    expect(list).toMatchObject({ code: 0, stderr: '' })
    expect(list.stdout).toMatch(/^No users\./)
    expect(existsSync(join(db.dir, 'data', 'issuer.db'))).toBe(true)
  })

  it('refuses a duplicate, whatever its case, and keeps the first password', async () => {
    await users(['add', 'alice', '--role', 'admin', '--password-stdin'], { input: 'first' })
    for (const name of ['alice', 'ALICE', 'Ａｌｉｃｅ']) {
      const dup = await users(['add', name, '--role', 'admin', '--password-stdin'], { input: 'second' })
      expect(dup).toMatchObject({ code: 2, stdout: '', stderr: 'users: user "alice" already exists\n' })
    }
    const user = await withStore((s) => findUserByUsername(s.records, 'alice'))
    expect((await hasher.verify('first', user?.passwordHash ?? null)).ok).toBe(true)
    expect((await users(['list'])).stdout.trimEnd().split('\n')).toHaveLength(2)
  })

  it('disables (revoking every session) and enables', async () => {
    await users(['add', 'alice', '--role', 'admin', '--password-stdin'], { input: 'pw' })
    const user = await withStore((s) => findUserByUsername(s.records, 'alice'))
    if (user === null) throw new Error('alice missing')
    const [s1, s2] = await withStore(async (s) => [
      await startSession(s, user.id),
      await startSession(s, user.id),
    ])

    const disabled = await users(['disable', 'Alice'])
    expect(disabled).toMatchObject({ code: 0, stdout: 'Disabled alice; 2 sessions revoked.\n' })
    await withStore(async (s) => {
      expect((await findUserByUsername(s.records, 'alice'))?.disabled).toBe(true)
      for (const id of [s1, s2]) {
        expect(await s.getSession(id ?? '')).toMatchObject({ revokedReason: 'user_disabled' })
      }
    })
    expect((await users(['list'])).stdout).toMatch(/\nalice\s+admin\s+yes\s+/)
    expect((await users(['disable', 'alice'])).stdout).toBe(
      'alice was already disabled; 0 sessions revoked.\n',
    )

    expect((await users(['enable', 'alice'])).stdout).toBe('Enabled alice; it can log in again.\n')
    expect((await withStore((s) => findUserByUsername(s.records, 'alice')))?.disabled).toBe(false)
    expect((await users(['enable', 'alice'])).stdout).toBe('alice was not disabled.\n')
  })

  it('set-password replaces the hash and revokes the sessions', async () => {
    await users(['add', 'alice', '--role', 'admin', '--password-stdin'], { input: 'old password' })
    const before = await withStore((s) => findUserByUsername(s.records, 'alice'))
    if (before === null) throw new Error('alice missing')
    const sessionId = await withStore((s) => startSession(s, before.id))

    const changed = await users(['set-password', 'alice', '--password-stdin'], { input: 'new password\n' })
    expect(changed).toMatchObject({ code: 0, stderr: '' })
    expect(changed.stdout).toBe('Password of alice changed; 1 session revoked, so it must log in again.\n')

    await withStore(async (s) => {
      const after = await findUserByUsername(s.records, 'alice')
      expect(after?.passwordHash).not.toBe(before.passwordHash)
      expect(after?.updatedAt).toBeGreaterThanOrEqual(before.updatedAt)
      expect((await hasher.verify('new password', after?.passwordHash ?? null)).ok).toBe(true)
      expect((await hasher.verify('old password', after?.passwordHash ?? null)).ok).toBe(false)
      expect(await s.getSession(sessionId)).toMatchObject({ revokedReason: 'password_changed' })
    })
    expect(transcript).not.toContain('password\n')
    expect(transcript).not.toContain('$scrypt$')
  })

  it('refuses bad roles, bad usernames and bad usage with exit 2, creating nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['add', 'alice', '--role', 'Admin', '--password-stdin'], /^users: invalid role "Admin"/],
      [['add', 'alice', '--role', 'a b', '--password-stdin'], /^users: invalid role "a b"/],
      [['add', 'alice', '--role', 'x'.repeat(65), '--password-stdin'], /^users: invalid role/],
      [['add', 'alice', '--role', '', '--password-stdin'], /^users: invalid role ""/],
      [['add', 'alice', '--password-stdin'], /^users: add needs at least one --role/],
      [['add', 'al ice', '--role', 'admin', '--password-stdin'], /^users: invalid username "al ice"/],
      [['add', '--role', 'admin', '--password-stdin'], /^users: add needs a username/],
      [['add', 'alice', 'bob', '--role', 'admin'], /^users: unexpected argument "bob"/],
      [['list', '--role', 'admin'], /^users: --role applies to add only/],
      [
        ['disable', 'alice', '--password-stdin'],
        /^users: --password-stdin applies to add and set-password only/,
      ],
      [
        ['add', 'alice', '--role', 'admin', '--bogus'],
        /^users: Unknown option '--bogus'[\s\S]*Usage: pnpm users/,
      ],
      [['remove', 'alice'], /^users: unknown command "remove"\nUsage: pnpm users/],
      [[], /^users: missing command\nUsage: pnpm users/],
    ]
    const runs = await inParallel(cases, ([args]) => users(args, { input: 'pw' }))
    cases.forEach(([args, stderr], i) => {
      expect(runs[i]?.code, args.join(' ')).toBe(2)
      expect(runs[i]?.stderr, args.join(' ')).toMatch(stderr)
    })
    expect((await users(['list'])).stdout).toMatch(/^No users\./)
  })

  it('lists the consent a user gave clients and revokes one, ending its sessions at that client', async () => {
    await users(['add', 'alice', '--role', 'reader', '--password-stdin'], { input: 'pw' })
    await users(['add', 'bob', '--role', 'reader', '--password-stdin'], { input: 'pw' })
    expect(await users(['consents', 'alice'])).toMatchObject({
      code: 0,
      stderr: '',
      stdout: 'alice has consented to no client.\n',
    })
    const granted = Date.UTC(2026, 0, 2, 3, 4, 5)
    const [crmSession, wikiSession, bobSession] = await withStore(async (s) => {
      const alice = (await findUserByUsername(s.records, 'alice'))!
      const bob = (await findUserByUsername(s.records, 'bob'))!
      await s.records.insert(CONSENTS, {
        userId: alice.id,
        clientId: 'wiki',
        scope: [],
        grantedAt: granted + 1000,
      })
      await s.records.insert(CONSENTS, {
        userId: alice.id,
        clientId: 'crm',
        scope: ['openid', 'profile'],
        grantedAt: granted,
      })
      await s.records.insert(CONSENTS, {
        userId: bob.id,
        clientId: 'crm',
        scope: ['openid'],
        grantedAt: granted,
      })
      return [
        await startSession(s, alice.id, 'crm'),
        await startSession(s, alice.id, 'wiki'),
        await startSession(s, bob.id, 'crm'),
      ]
    })
    const listed = await users(['consents', 'Alice'])
    expect(listed).toMatchObject({ code: 0, stderr: '' })
    const rows = listed.stdout.trimEnd().split('\n')
    expect(rows).toHaveLength(3)
    expect(rows[0]).toMatch(/^CLIENT\s+SCOPES\s+GRANTED$/)
    expect(rows[1]).toMatch(/^crm\s+openid profile\s+2026-01-02T03:04:05\.000Z$/)
    expect(rows[2]).toMatch(/^wiki\s+-\s+2026-01-02T03:04:06\.000Z$/)

    const revoked = await users(['revoke-consent', 'alice', 'crm'])
    expect(revoked).toMatchObject({
      code: 0,
      stderr: '',
      stdout: 'Revoked the consent of alice for crm; 1 session revoked.\n',
    })
    await withStore(async (s) => {
      const alice = (await findUserByUsername(s.records, 'alice'))!
      const bob = (await findUserByUsername(s.records, 'bob'))!
      expect(await s.records.get(CONSENTS, { userId: alice.id, clientId: 'crm' })).toBeNull()
      expect(await s.records.get(CONSENTS, { userId: alice.id, clientId: 'wiki' })).not.toBeNull()
      expect(await s.records.get(CONSENTS, { userId: bob.id, clientId: 'crm' })).not.toBeNull()
      expect(await s.getSession(crmSession!)).toMatchObject({ revokedReason: 'consent_revoked' })
      expect(await s.getSession(wikiSession!)).toMatchObject({ revokedAt: null })
      expect(await s.getSession(bobSession!)).toMatchObject({ revokedAt: null })
    })
    expect((await users(['consents', 'alice'])).stdout).not.toMatch(/^crm/m)
    expect(await users(['revoke-consent', 'alice', 'crm'])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'users: alice has no consent for client "crm"\n',
    })
    const cases: [string[], RegExp][] = [
      [['revoke-consent', 'alice'], /^users: revoke-consent needs a username and a client id\n$/],
      [['revoke-consent', 'alice', 'a b'], /^users: invalid client id "a b"/],
      [['revoke-consent', 'alice', 'crm', 'x'], /^users: unexpected argument "x"\n$/],
      [['consents', 'alice', 'crm'], /^users: unexpected argument "crm"\n$/],
      [['consents'], /^users: consents needs a username\n$/],
      [['consents', 'ghost'], /^users: no user "ghost"\n$/],
    ]
    const runs = await inParallel(cases, ([args]) => users(args))
    cases.forEach(([args, stderr], i) => {
      expect(runs[i]?.code, args.join(' ')).toBe(2)
      expect(runs[i]?.stderr, args.join(' ')).toMatch(stderr)
    })
  })

  it('refuses unknown users', async () => {
    const runs = await inParallel(
      [
        ['disable', 'ghost'],
        ['enable', 'ghost'],
        ['set-password', 'ghost', '--password-stdin'],
      ],
      (args) => users(args, { input: 'pw' }),
    )
    for (const run of runs) expect(run).toMatchObject({ code: 2, stderr: 'users: no user "ghost"\n' })
  })

  it('refuses an empty, oversized or non-UTF-8 password, and a missing one without a terminal', async () => {
    const add = ['add', 'alice', '--role', 'admin']
    expect(await users([...add, '--password-stdin'], { input: '' })).toMatchObject({
      code: 2,
      stderr: 'users: the password is empty\n',
    })
    expect(await users([...add, '--password-stdin'], { input: '\n' })).toMatchObject({ code: 2 })
    expect(await users([...add, '--password-stdin'], { input: 'é'.repeat(513) })).toMatchObject({
      code: 2,
      stderr: 'users: the password is longer than 1024 bytes\n',
    })
    expect(await users([...add, '--password-stdin'], { input: 'x'.repeat(1_000_000) })).toMatchObject({
      code: 2,
      stderr: 'users: the password is longer than 1024 bytes\n',
    })
    expect(
      await users([...add, '--password-stdin'], { input: Buffer.from([0x70, 0xff, 0x77]) }),
    ).toMatchObject({
      code: 2,
      stderr: 'users: the password on stdin is not valid UTF-8\n',
    })
    const noTty = await users(add, { input: 'pw' })
    expect(noTty.code).toBe(2)
    expect(noTty.stderr).toMatch(/^users: stdin is not a terminal.*--password-stdin/)
    expect((await users(['list'])).stdout).toMatch(/^No users\./)

    // Exactly at the bound is fine.
    expect(await users([...add, '--password-stdin'], { input: `${'x'.repeat(1024)}\n` })).toMatchObject({
      code: 0,
    })
  })

  it('takes the scrypt cost from SCRYPT_LOG_N and refuses a bad one', async () => {
    await users(['add', 'alice', '--role', 'admin', '--password-stdin'], {
      input: 'pw',
      env: { SCRYPT_LOG_N: '10' },
    })
    const user = await withStore((s) => findUserByUsername(s.records, 'alice'))
    expect(user?.passwordHash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/)
    for (const bad of ['abc', '9', '21', '1.5']) {
      const run = await users(['list'], { env: { SCRYPT_LOG_N: bad } })
      expect(run.code, bad).toBe(2)
      expect(run.stderr, bad).toMatch(/^users: SCRYPT_LOG_N/)
    }
  })
  // `script` (util-linux, Essential on Debian) gives the CLI a real terminal.
  it('prompts twice on the terminal without echo, and refuses a mismatch', async () => {
    const added = await usersOnTerminal(['add', 'alice', '--role', 'admin'], ['s3cret pw\r', 's3cret pw\r'])
    expect(added).toMatchObject({
      code: 0,
      stdout: 'Password: \nConfirm password: \nCreated user alice with roles admin.\n',
    })
    const user = await withStore((s) => findUserByUsername(s.records, 'alice'))
    expect((await hasher.verify('s3cret pw', user?.passwordHash ?? null)).ok).toBe(true)

    const mismatch = await usersOnTerminal(['set-password', 'alice'], ['one\r', 'two\r'])
    expect(mismatch).toMatchObject({
      code: 2,
      stdout: 'Password: \nConfirm password: \nusers: the two passwords do not match\n',
    })
    const cancelled = await usersOnTerminal(['set-password', 'alice'], ['on\u0003'])
    expect(cancelled).toMatchObject({ code: 130, stdout: 'Password: \nusers: cancelled\n' })
    const after = await withStore((s) => findUserByUsername(s.records, 'alice'))
    expect(after?.passwordHash).toBe(user?.passwordHash)
    expect(transcript).not.toContain('s3cret')
  })
})
