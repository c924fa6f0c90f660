import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createUser } from '../../core/users/create-user.ts'
import { findUserByUsername } from '../../core/users/find-user-by-username.ts'
import { expectRowsBeforeProfilesRead, rowsBeforeProfiles } from '../../testing/rows-before-profiles.ts'
import { runStoreConformance } from '../../testing/store-conformance.ts'
import { SQLITE_MIGRATIONS } from './sqlite-migrations.ts'
import { createSqliteStore } from './sqlite-store.ts'

runStoreConformance(
  'sqlite',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokensmith-sqlite-'))
    const store = createSqliteStore({ path: join(dir, 'issuer.db') })
    return {
      store,
      // A second connection to the same file; two processes are raced below.
      openAnother: () => createSqliteStore({ path: join(dir, 'issuer.db') }),
      // As with the sqlite3 shell, which leaves foreign keys off: the user's sessions stay behind.
      deleteUser: async (id) => {
        const db = new Database(join(dir, 'issuer.db'))
        db.pragma('foreign_keys = OFF')
        db.prepare('DELETE FROM users WHERE id = ?').run(id)
        db.close()
      },
      cleanup: async () => {
        await store.close()
        await rm(dir, { recursive: true, force: true })
      },
    }
  },
  { sharedByInstances: true },
)

// No deleteUser: nothing but the store itself can reach an in-memory database.
runStoreConformance(
  'sqlite :memory:',
  async () => {
    const store = createSqliteStore({ path: ':memory:' })
    return { store, cleanup: () => store.close() }
  },
  { usersOutOfReach: true },
)

describe('sqlite store on a file', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokensmith-sqlite-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('creates missing parent directories and uses WAL with foreign keys', async () => {
    const path = join(dir, 'nested', 'deeper', 'issuer.db')
    const store = createSqliteStore({ path })
    await store.migrate()
    await store.close()
    const db = new Database(path, { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
  })

  it('applies each migration once, even when two stores open the same new file together', async () => {
    const path = join(dir, 'issuer.db')
    const a = createSqliteStore({ path })
    const b = createSqliteStore({ path })
    await Promise.all([a.migrate(), b.migrate(), a.migrate()])
    await b.migrate()
    const db = new Database(path, { readonly: true })
    const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()
    expect(rows).toEqual(SQLITE_MIGRATIONS.map((m) => m.version))
    db.close()
    // Both connections work on the shared schema.
    await createUser(a.records, { id: 'u', username: 'shared', passwordHash: 'h', roles: [], createdAt: 1 })
    expect(await findUserByUsername(b.records, 'shared')).toMatchObject({ id: 'u' })
    await a.close()
    await b.close()
  })

  it('refuses a database migrated by a newer issuer', async () => {
    const path = join(dir, 'issuer.db')
    const store = createSqliteStore({ path })
    await store.migrate()
    const db = new Database(path)
    db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(9999, 'from the future')
    db.close()
    await expect(store.migrate()).rejects.toThrow(/newer than this issuer/)
    await store.close()
  })

  it("reads a session from before scopes and client types as a public client's, with no scope", async () => {
    const path = join(dir, 'issuer.db')
    const db = new Database(path)
    db.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
      applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP) STRICT`)
    db.exec(SQLITE_MIGRATIONS[0]!.sql)
    db.prepare('INSERT INTO schema_migrations (version, name) VALUES (1, ?)').run(SQLITE_MIGRATIONS[0]!.name)
    db.exec(`INSERT INTO users (id, username, password_hash, created_at, updated_at) VALUES ('u', 'old', 'h', 1, 1);
      INSERT INTO sessions (id, user_id, client_id, created_at, last_used_at, absolute_expires_at)
        VALUES ('s', 'u', 'default', 1, 1, 1000000);
      INSERT INTO refresh_tokens (hash, session_id, generation, created_at, idle_expires_at)
        VALUES ('t', 's', 1, 1, 500000);`)
    db.close()
    const store = createSqliteStore({ path })
    await store.migrate()
    expect(await store.getSession('s')).toMatchObject({ clientId: 'default', scope: [], publicClient: true })
    const rotate = (clientId: string | null) =>
      store.rotate({
        tokenHash: 't',
        now: 10,
        clientId,
        graceMs: 0,
        successor: { hash: 'n', idleExpiresAt: 500_010, sealed: 'sealed' },
      })
    expect(await rotate('other')).toEqual({ kind: 'invalid', reason: 'client_mismatch' })
    expect(await rotate(null)).toMatchObject({ kind: 'rotated', session: { scope: [], publicClient: true } })
    await store.close()
  })

  it('migrates a database of the release before profiles (migrations 1-5): every row kept, new fields at their defaults', async () => {
    const path = join(dir, 'issuer.db')
    const db = new Database(path)
    db.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
      applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP) STRICT`)
    for (const m of SQLITE_MIGRATIONS.filter((m) => m.version <= 5)) {
      db.exec(m.sql)
      db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(m.version, m.name)
    }
    db.exec(rowsBeforeProfiles((name) => name))
    db.close()
    const store = createSqliteStore({ path })
    try {
      await store.migrate()
      await expectRowsBeforeProfilesRead(store)
    } finally {
      await store.close()
    }
    // The rebuilt code table has its expiry index again, and nothing is left of the old one.
    const after = new Database(path, { readonly: true })
    const objects = after
      .prepare(
        "SELECT type, name FROM sqlite_master WHERE tbl_name LIKE 'authorization_codes%' ORDER BY name",
      )
      .all()
    after.close()
    expect(objects).toEqual([
      { type: 'table', name: 'authorization_codes' },
      { type: 'index', name: 'authorization_codes_expires_at' },
      { type: 'index', name: 'sqlite_autoindex_authorization_codes_1' },
    ])
  })

  it('enforces that a session belongs to an existing user', async () => {
    const store = createSqliteStore({ path: join(dir, 'issuer.db') })
    await store.migrate()
    await expect(
      store.createSession({
        id: 's',
        userId: 'ghost',
        clientId: 'c',
        createdAt: 1,
        absoluteExpiresAt: 100,
        clientIp: null,
        userAgent: null,
        scope: [],
        publicClient: true,
        tokenHash: 'h',
        idleExpiresAt: 50,
      }),
    ).rejects.toThrow(/FOREIGN KEY/)
    await store.close()
  })

  it('checkpoints the WAL on a background thread when asked, and stops that thread on close', async () => {
    const path = join(dir, 'issuer.db')
    const store = createSqliteStore({ path, backgroundCheckpointMs: 20 })
    await store.migrate()
    await createUser(store.records, { id: 'u', username: 'u', passwordHash: 'h', roles: [], createdAt: 1 })
    // The database header's page count (bytes 28..31) changes only when a checkpoint copies
    // WAL pages into the file; the request connection's own threshold is far above this load.
    const pagesInFile = async () => (await readFile(path)).readUInt32BE(28)
    const before = await pagesInFile()
    for (let i = 0; i < 100; i++) {
      await store.createSession({
        id: `s${i}`,
        userId: 'u',
        clientId: 'c',
        createdAt: 1,
        absoluteExpiresAt: 1_000_000,
        clientIp: null,
        userAgent: 'x'.repeat(200),
        scope: [],
        publicClient: true,
        tokenHash: `t${i}`,
        idleExpiresAt: 500_000,
      })
    }
    await expect.poll(pagesInFile, { timeout: 5000, interval: 20 }).toBeGreaterThan(before)
    await store.close()
    const db = new Database(path, { readonly: true })
    expect(db.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 100 })
    db.close()
  })

  it('rolls back every rotation of a batch when one fails for a reason other than a conflict', async () => {
    const path = join(dir, 'issuer.db')
    const store = createSqliteStore({ path })
    await store.migrate()
    await createUser(store.records, { id: 'u', username: 'u', passwordHash: 'h', roles: [], createdAt: 1 })
    for (const id of ['a', 'b']) {
      await store.createSession({
        id,
        userId: 'u',
        clientId: 'c',
        createdAt: 1,
        absoluteExpiresAt: 1_000_000,
        clientIp: null,
        userAgent: null,
        scope: [],
        publicClient: true,
        tokenHash: `token-${id}`,
        idleExpiresAt: 500_000,
      })
    }
    // A fault inside the second rotation, after its successor row went in: the first rotation's
    // writes share the transaction and must not survive without it.
    const other = new Database(path)
    other.exec(`CREATE TRIGGER fail_b BEFORE UPDATE OF consumed_at ON refresh_tokens
      WHEN OLD.hash = 'token-b' BEGIN SELECT RAISE(ABORT, 'injected fault'); END`)
    const rotate = (id: string) =>
      store.rotate({
        tokenHash: `token-${id}`,
        now: 10,
        clientId: null,
        graceMs: 0,
        successor: { hash: `next-${id}`, idleExpiresAt: 500_010, sealed: 'sealed' },
      })
    const outcomes = await Promise.allSettled([rotate('a'), rotate('b')])
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected'])
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/injected fault/)
    for (const id of ['a', 'b']) {
      expect(await store.findToken(`token-${id}`)).toMatchObject({ consumedAt: null })
      expect(await store.findToken(`next-${id}`)).toBeNull()
    }
    other.exec('DROP TRIGGER fail_b')
    other.close()
    expect(await rotate('a')).toMatchObject({ kind: 'rotated' })
    await store.close()
  })

  it('keeps at most one successor when two processes race 25 refreshes each with one token', async () => {
    const path = join(dir, 'race.db')
    const store = createSqliteStore({ path })
    await store.migrate()
    const now = 1_700_000_000_000
    await createUser(store.records, {
      id: 'u',
      username: 'racer',
      passwordHash: 'h',
      roles: [],
      createdAt: now,
    })
    const session = await store.createSession({
      id: 'fam',
      userId: 'u',
      clientId: 'c',
      createdAt: now,
      absoluteExpiresAt: now + 30 * 86_400_000,
      clientIp: null,
      userAgent: null,
      scope: [],
      publicClient: true,
      tokenHash: 'presented',
      idleExpiresAt: now + 86_400_000,
    })

    const child = fileURLToPath(new URL('../../testing/sqlite-race-child.ts', import.meta.url))
    const cwd = fileURLToPath(new URL('../../../..', import.meta.url))
    const procs = [0, 1].map(() =>
      spawn(process.execPath, ['--import', 'tsx', child, path, 'presented', String(now + 1000), '25'], {
        cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    )
    const outputs = procs.map(collect)
    await Promise.all(procs.map(waitForReady))
    for (const p of procs) p.stdin?.write('go\n')
    const results = (await Promise.all(outputs)).flatMap(
      (out) => JSON.parse(out.trim().split('\n').at(-1)!) as RaceResult[],
    )

    expect(results).toHaveLength(50)
    const rotated = results.filter((r) => r.kind === 'rotated')
    expect(rotated).toHaveLength(1)
    const winner = rotated[0]!.successorHash
    // Every other attempt was handed the winner's successor: no second successor exists.
    for (const r of results.filter((r) => r.kind !== 'rotated')) {
      expect(r).toMatchObject({ kind: 'replayed', sealed: `sealed.${winner}` })
    }
    const db = new Database(path, { readonly: true })
    const tokens = db
      .prepare('SELECT hash, consumed_at FROM refresh_tokens WHERE session_id = ? ORDER BY generation')
      .all(session.id)
    db.close()
    expect(tokens).toEqual([
      { hash: 'presented', consumed_at: now + 1000 },
      { hash: winner, consumed_at: null },
    ])
    expect(await store.getSession(session.id)).toMatchObject({ revokedAt: null })
    expect((await store.listSessions('u', now + 2000)).map((s) => s.id)).toEqual([session.id])
    await store.close()
  }, 60_000)
})

interface RaceResult {
  kind: string
  successorHash: string
  sealed: string | null
}

function collect(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
    })
    proc.stderr?.on('data', (d: Buffer) => {
      err += d.toString()
    })
    proc.on('error', reject)
    proc.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`race child exited ${code}: ${err}`)),
    )
  })
}

function waitForReady(proc: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      if (d.toString().includes('ready')) {
        proc.stdout?.off('data', onData)
        resolve()
      }
    }
    proc.stdout?.on('data', onData)
    proc.on('exit', (code) => reject(new Error(`race child exited ${code} before it was ready`)))
  })
}
