// pnpm users: add, update (the profile), list, disable, enable and set-password for the issuer's
// accounts, and the consent they gave clients at /oauth/authorize (list, revoke), straight against
// the store in DATABASE_URL. Passwords come from stdin (--password-stdin) or a prompt
// on the terminal with echo off; neither a password nor a hash is ever printed.
import { randomUUID } from 'node:crypto'
import { openSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { ReadStream, WriteStream } from 'node:tty'
import {
  CONSENTS,
  createLogger,
  createPasswordHasher,
  createUser,
  findUserByUsername,
  isClientId,
  listAll,
  listFactors,
  normalizeUsername,
  type PasswordHasher,
  resetFactors,
  type Store,
  StoreConflictError,
  USERS,
  type UserProfile,
  type UserRecord,
  userProfileProblem,
} from '@tokensmith/issuer/admin'
import { formatTable } from './shared/format-table.ts'
import { parseCommandLine } from './shared/parse-command-line.ts'
import { runAdminCommand } from './shared/run-admin-command.ts'
import { UsageError } from './shared/usage-error.ts'
import { withDatabase } from './shared/with-database.ts'

const USAGE = `Usage: pnpm users <command>
  add <username> --role <r> [--role <r2>...] [--password-stdin] [profile options]
                                                                 create an account
  update <username> <profile options>                            change its profile
  list                                                           username, roles, disabled, created,
                                                                 e-mail, verified, name
  disable <username>                                             refuse logins, revoke every session
  enable <username>                                              allow logins again
  set-password <username> [--password-stdin]                     replace the password, revoke every session
  consents <username>                                            the clients it consented to: scopes, when
  revoke-consent <username> <client_id>                          forget that consent (asked again at the next
                                                                 authorization) and revoke its sessions there
  mfa <username> [--reset]                                       its second factors: authenticator app (TOTP),
                                                                 passkeys, recovery codes left; --reset removes
                                                                 them all and ends every session (a lost phone)
Profile options (add and update; an empty value, as --name '', clears the field):
  --email <addr>                                                 its e-mail address; a new one is
                                                                 unverified unless --email-verified
  --email-verified | --email-unverified                          whether the address is known to be the user's
  --name <text>                                                  full name
  --given-name <text>                                            given (first) name
  --family-name <text>                                           family (last) name
Without --password-stdin the password is asked twice on the terminal, not echoed.
--password-stdin reads it from stdin (one trailing newline is dropped).
Environment: DATABASE_URL (default sqlite:./data/issuer.db), SCRYPT_LOG_N (default 15).`

const ROLE = /^[a-z0-9_:.-]{1,64}$/

const OPTIONS = {
  role: { type: 'string', multiple: true },
  'password-stdin': { type: 'boolean' },
  email: { type: 'string' },
  'email-verified': { type: 'boolean' },
  'email-unverified': { type: 'boolean' },
  name: { type: 'string' },
  'given-name': { type: 'string' },
  'family-name': { type: 'string' },
  reset: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

type Values = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values']

/** The text options of the profile and the fields they set. */
const PROFILE_TEXT = [
  ['email', 'email'],
  ['name', 'name'],
  ['given-name', 'givenName'],
  ['family-name', 'familyName'],
] as const
const PROFILE_OPTIONS = [
  ...PROFILE_TEXT.map(([option]) => option),
  'email-verified',
  'email-unverified',
] as const

/** Exit 130: the operator pressed Ctrl-C or Ctrl-D at the prompt. */
class CancelledError extends Error {}

interface Command {
  name: string
  username: string | null
  /** The client of revoke-consent. */
  clientId: string | null
  roles: string[]
  passwordStdin: boolean
  /** `mfa --reset`. */
  reset: boolean
  /** The profile fields add and update set: a value, null to clear, absent to keep. */
  profile: Partial<UserProfile>
}

function parseCommand(argv: string[]): Command | 'help' {
  const { values, positionals } = parseCommandLine(argv, OPTIONS)
  if (values.help) return 'help'
  const [name, rawName, ...rest] = positionals
  if (name === undefined) throw new UsageError('missing command', { showUsage: true })
  const takesUser = [
    'add',
    'update',
    'disable',
    'enable',
    'set-password',
    'consents',
    'revoke-consent',
    'mfa',
  ].includes(name)
  if (!takesUser && name !== 'list') throw new UsageError(`unknown command "${name}"`, { showUsage: true })
  const rawClientId = name === 'revoke-consent' ? rest.shift() : undefined
  const extra = rest
  if (extra.length > 0 || (!takesUser && rawName !== undefined)) {
    throw new UsageError(`unexpected argument "${extra[0] ?? rawName}"`)
  }
  const roles = values.role ?? []
  if (name !== 'add' && roles.length > 0) throw new UsageError(`--role applies to add only`)
  if (values['password-stdin'] && name !== 'add' && name !== 'set-password') {
    throw new UsageError('--password-stdin applies to add and set-password only')
  }
  if (values.reset && name !== 'mfa') throw new UsageError('--reset applies to mfa only')
  const given = PROFILE_OPTIONS.find((option) => values[option] !== undefined)
  if (given !== undefined && name !== 'add' && name !== 'update') {
    throw new UsageError(`--${given} applies to add and update only`)
  }
  let username: string | null = null
  if (takesUser) {
    if (rawName === undefined) throw new UsageError(`${name} needs a username`)
    username = normalizeUsername(rawName)
    if (username === null) {
      throw new UsageError(`invalid username "${rawName}": 1 to 64 of a-z 0-9 . _ @ - (after lower-casing)`)
    }
  }
  let clientId: string | null = null
  if (name === 'revoke-consent') {
    if (rawClientId === undefined) throw new UsageError('revoke-consent needs a username and a client id')
    if (!isClientId(rawClientId)) {
      throw new UsageError(`invalid client id "${rawClientId}": 1 to 128 of A-Z a-z 0-9 . _ ~ -`)
    }
    clientId = rawClientId
  }
  if (name === 'add') {
    if (roles.length === 0) throw new UsageError('add needs at least one --role')
    for (const role of roles) {
      if (!ROLE.test(role)) throw new UsageError(`invalid role "${role}": 1 to 64 of a-z 0-9 _ : . -`)
    }
  }
  const profile = parseProfile(values)
  // Checked before the password prompt: a new account has no address to verify but its own.
  if (name === 'add' && profile.emailVerified === true && !profile.email) {
    throw new UsageError('--email-verified needs an --email to verify')
  }
  if (name === 'update' && Object.keys(profile).length === 0) {
    throw new UsageError('update needs something to change: see --help')
  }
  return {
    name,
    username,
    clientId,
    roles: [...new Set(roles)],
    passwordStdin: values['password-stdin'] === true,
    reset: values.reset === true,
    profile,
  }
}

/** The profile the options give: each text checked (userProfileProblem), '' to clear it. */
function parseProfile(values: Values): Partial<UserProfile> {
  const profile: Partial<UserProfile> = {}
  for (const [option, field] of PROFILE_TEXT) {
    const value = values[option]
    if (value === undefined) continue
    if (value === '') {
      profile[field] = null
      continue
    }
    const problem = userProfileProblem(field, value)
    if (problem !== null) throw new UsageError(`invalid --${option} ${JSON.stringify(value)}: ${problem}`)
    profile[field] = value
  }
  if (values['email-verified'] && values['email-unverified']) {
    throw new UsageError('--email-verified and --email-unverified: give one')
  }
  if (values['email-verified']) {
    if (profile.email === null) throw new UsageError('--email-verified and an empty --email: give one')
    profile.emailVerified = true
  }
  if (values['email-unverified']) profile.emailVerified = false
  return profile
}

/**
 * What `update` writes: the profile given, with the address's verification following it. A
 * different (or no) address is unverified unless --email-verified says otherwise: whatever
 * confirmed the old one says nothing about the new.
 */
function profilePatch(user: UserRecord, profile: Partial<UserProfile>): Partial<UserProfile> {
  const patch = { ...profile }
  if (patch.email !== undefined && patch.email !== user.email && patch.emailVerified === undefined) {
    patch.emailVerified = false
  }
  const email = patch.email === undefined ? user.email : patch.email
  if (patch.emailVerified === true && email === null) {
    throw new UsageError(`${user.username} has no e-mail address to verify: give --email`)
  }
  return patch
}

/** The profile fields a patch changed, for the operator: `name Ada Lovelace`, `given name cleared`. */
function describeProfile(patch: Partial<UserProfile>, after: UserProfile): string[] {
  const changed: string[] = []
  if (patch.email !== undefined || patch.emailVerified !== undefined) {
    const state = after.emailVerified ? 'verified' : 'unverified'
    if (patch.email === undefined) changed.push(`e-mail ${state}`)
    else changed.push(patch.email === null ? 'e-mail cleared' : `e-mail ${patch.email} (${state})`)
  }
  const labels = { name: 'name', givenName: 'given name', familyName: 'family name' } as const
  for (const field of ['name', 'givenName', 'familyName'] as const) {
    const value = patch[field]
    if (value !== undefined)
      changed.push(value === null ? `${labels[field]} cleared` : `${labels[field]} ${value}`)
  }
  return changed
}

function hasherFromEnv(): PasswordHasher {
  const text = process.env.SCRYPT_LOG_N
  if (text === undefined || text === '') return createPasswordHasher()
  if (!/^[0-9]{1,3}$/.test(text)) throw new UsageError(`SCRYPT_LOG_N must be an integer (got "${text}")`)
  try {
    return createPasswordHasher({ cost: { logN: Number(text), r: 8, p: 1 } })
  } catch (err) {
    throw new UsageError(`SCRYPT_LOG_N: ${(err as Error).message.replace(/^cost: /, '')}`)
  }
}

/** Reads at most a few bytes over the bound, so a huge pipe is refused without buffering it. */
async function readPasswordFromStdin(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    chunks.push(chunk)
    total += chunk.length
    if (total > maxBytes + 2) break // + "\r\n"; anything beyond is too long either way
  }
  let bytes = Buffer.concat(chunks)
  if (bytes.at(-1) === 0x0a) bytes = bytes.subarray(0, bytes.at(-2) === 0x0d ? -2 : -1)
  // Before decoding: a cut-off read may end inside a character, and "too long" is the real reason.
  if (bytes.length > maxBytes) throw new UsageError(`the password is longer than ${maxBytes} bytes`)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new UsageError('the password on stdin is not valid UTF-8')
  }
  return text
}

/** Asks twice on /dev/tty with echo off: the terminal is in raw mode and readline's echo is muted. */
async function promptPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'stdin is not a terminal, so there is no one to prompt: pass the password with --password-stdin',
    )
  }
  let inFd: number
  let outFd: number
  try {
    inFd = openSync('/dev/tty', 'r')
    outFd = openSync('/dev/tty', 'w')
  } catch {
    throw new UsageError('cannot open the terminal (/dev/tty): pass the password with --password-stdin')
  }
  const input = new ReadStream(inFd)
  const terminal = new WriteStream(outFd)
  let muted = false
  const output = new Writable({
    write(chunk, encoding, callback) {
      if (!muted) terminal.write(chunk, encoding)
      callback()
    },
  })
  const rl = createInterface({ input, output, terminal: true })
  let cancel: (() => void) | undefined
  rl.on('SIGINT', () => cancel?.())
  rl.on('close', () => cancel?.())
  const ask = (prompt: string) =>
    new Promise<string>((resolve, reject) => {
      cancel = () => reject(new CancelledError('cancelled'))
      terminal.write(prompt)
      muted = true
      rl.question('', (answer) => {
        muted = false
        terminal.write('\n')
        resolve(answer)
      })
    })
  try {
    const first = await ask('Password: ')
    if (first.length === 0) throw new UsageError('the password is empty')
    const second = await ask('Confirm password: ')
    if (first !== second) throw new UsageError('the two passwords do not match')
    return first
  } catch (err) {
    if (err instanceof CancelledError) terminal.write('\n') // the prompt line was left open
    throw err
  } finally {
    cancel = undefined
    muted = false
    rl.close() // also takes the terminal out of raw mode
    input.destroy()
    terminal.destroy()
  }
}

async function newPasswordHash(cmd: Command, hasher: PasswordHasher): Promise<string> {
  const password = cmd.passwordStdin
    ? await readPasswordFromStdin(hasher.maxPasswordBytes)
    : await promptPassword()
  if (password.length === 0) throw new UsageError('the password is empty')
  if (Buffer.byteLength(password, 'utf8') > hasher.maxPasswordBytes) {
    throw new UsageError(`the password is longer than ${hasher.maxPasswordBytes} bytes`)
  }
  return hasher.hash(password)
}

async function findUser(store: Store, username: string): Promise<UserRecord> {
  const user = await findUserByUsername(store.records, username)
  if (user === null) throw new UsageError(`no user "${username}"`)
  return user
}

function sessionsLine(count: number): string {
  return count === 1 ? '1 session revoked' : `${count} sessions revoked`
}

function printUsers(users: UserRecord[]): void {
  if (users.length === 0) {
    process.stdout.write('No users. Add one with `pnpm users add <username> --role <role>`.\n')
    return
  }
  const header = ['USERNAME', 'ROLES', 'DISABLED', 'CREATED', 'EMAIL', 'VERIFIED', 'NAME']
  // The name last: it is the one column that may hold spaces.
  const rows = [...users]
    .sort((a, b) => a.username.localeCompare(b.username))
    .map((u) => [
      u.username,
      u.roles.join(','),
      u.disabled ? 'yes' : 'no',
      new Date(u.createdAt).toISOString(),
      u.email ?? '-',
      u.email === null ? '-' : u.emailVerified ? 'yes' : 'no',
      u.name ?? '-',
    ])
  process.stdout.write(formatTable([header, ...rows], { style: 'plain' }))
}

async function printConsents(store: Store, user: UserRecord): Promise<void> {
  const consents = await listAll(store.records, CONSENTS, { where: { field: 'userId', value: user.id } })
  if (consents.length === 0) {
    process.stdout.write(`${user.username} has consented to no client.\n`)
    return
  }
  const header = ['CLIENT', 'SCOPES', 'GRANTED']
  const rows = consents.map((c) => [
    c.clientId,
    c.scope.length === 0 ? '-' : c.scope.join(' '),
    new Date(c.grantedAt).toISOString(),
  ])
  process.stdout.write(formatTable([header, ...rows], { style: 'plain' }))
}

/** Forgets the consent and ends the user's live sessions at that client: what it was granted stops. */
async function revokeConsent(store: Store, user: UserRecord, clientId: string, now: number): Promise<void> {
  const removed = await store.records.delete(CONSENTS, { userId: user.id, clientId })
  let revoked = 0
  for (const session of await store.listSessions(user.id, now)) {
    if (session.clientId === clientId && (await store.revokeSession(session.id, 'consent_revoked', now))) {
      revoked += 1
    }
  }
  if (!removed && revoked === 0) {
    // Exit 1, not 2: the command was well formed; there is nothing to revoke.
    throw new Error(`${user.username} has no consent for client "${clientId}"`)
  }
  process.stdout.write(
    `${removed ? `Revoked the consent of ${user.username} for ${clientId}` : `${user.username} had no consent for ${clientId}`}; ${sessionsLine(revoked)}.\n`,
  )
}

/** The user's second factors, or with --reset their removal (logged as `mfa_reset`, counts only). */
async function mfa(store: Store, user: UserRecord, reset: boolean, now: number): Promise<void> {
  if (reset) {
    // The security event goes to stderr as a JSON line, as the issuer would log it.
    const logger = createLogger({ level: 'info', write: (line) => process.stderr.write(line) })
    const { removed, sessions } = await resetFactors({ store, logger }, user.id, now)
    process.stdout.write(
      `Removed ${removed === 1 ? '1 second factor' : `${removed} second factors`} of ${user.username}; ${sessionsLine(sessions)}.\n`,
    )
    return
  }
  const f = await listFactors(store.records, user.id)
  const totp =
    f.totp === null ? 'none' : f.totp.confirmedAt === null ? 'pending (not confirmed)' : 'confirmed'
  const lines = [
    `authenticator app (TOTP): ${totp}`,
    `passkeys: ${f.passkeys.length === 0 ? 'none' : f.passkeys.length}`,
    ...f.passkeys.map((p) => `  ${p.name} (added ${new Date(p.createdAt).toISOString()})`),
    `recovery codes left: ${f.recoveryCodesLeft}`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

async function run(cmd: Command, store: Store, hasher: PasswordHasher): Promise<void> {
  const now = Date.now()
  const { username } = cmd
  if (cmd.name === 'list') return printUsers(await listAll(store.records, USERS))
  if (username === null) throw new UsageError(`${cmd.name} needs a username`)

  if (cmd.name === 'add') {
    // Checked before the prompt so the operator does not type a password for nothing.
    if ((await findUserByUsername(store.records, username)) !== null) {
      throw new UsageError(`user "${username}" already exists`)
    }
    const passwordHash = await newPasswordHash(cmd, hasher)
    try {
      await createUser(store.records, {
        id: randomUUID(),
        username,
        passwordHash,
        roles: cmd.roles,
        createdAt: now,
        ...cmd.profile,
      })
    } catch (err) {
      // Someone added the same name meanwhile: the store's unique key refused it.
      if (err instanceof StoreConflictError) throw new UsageError(`user "${username}" already exists`)
      throw err
    }
    process.stdout.write(`Created user ${username} with roles ${cmd.roles.join(', ')}.\n`)
    return
  }

  const user = await findUser(store, username)
  if (cmd.name === 'update') {
    const patch = profilePatch(user, cmd.profile)
    const updated = await store.records.update(USERS, { id: user.id }, { ...patch, updatedAt: now })
    if (updated === null) throw new UsageError(`no user "${username}"`)
    process.stdout.write(`Updated ${username}: ${describeProfile(patch, updated).join('; ')}.\n`)
    return
  }
  if (cmd.name === 'consents') return printConsents(store, user)
  if (cmd.name === 'mfa') return mfa(store, user, cmd.reset, now)
  if (cmd.name === 'revoke-consent') return revokeConsent(store, user, cmd.clientId ?? '', now)
  if (cmd.name === 'set-password') {
    const passwordHash = await newPasswordHash(cmd, hasher)
    await store.records.update(USERS, { id: user.id }, { passwordHash, updatedAt: now })
    const revoked = await store.revokeUserSessions(user.id, 'password_changed', now)
    process.stdout.write(
      `Password of ${username} changed; ${sessionsLine(revoked)}, so it must log in again.\n`,
    )
  } else if (cmd.name === 'disable') {
    if (!user.disabled) await store.records.update(USERS, { id: user.id }, { disabled: true, updatedAt: now })
    // Revoked even when already disabled: a session could only exist from before, and must not live on.
    const revoked = await store.revokeUserSessions(user.id, 'user_disabled', now)
    process.stdout.write(
      `${user.disabled ? `${username} was already disabled` : `Disabled ${username}`}; ${sessionsLine(revoked)}.\n`,
    )
  } else if (cmd.name === 'enable') {
    if (user.disabled) await store.records.update(USERS, { id: user.id }, { disabled: false, updatedAt: now })
    process.stdout.write(
      user.disabled ? `Enabled ${username}; it can log in again.\n` : `${username} was not disabled.\n`,
    )
  }
}

async function main(): Promise<void> {
  const cmd = parseCommand(process.argv.slice(2))
  if (cmd === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const hasher = hasherFromEnv()
  await withDatabase((store) => run(cmd, store, hasher))
}

runAdminCommand('users', USAGE, main, (err) => (err instanceof CancelledError ? 130 : null))
