import { randomBytes, randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { createUser } from '../../core/users/create-user.ts'
import { type RoundTripProxy, startRoundTripProxy } from '../../testing/round-trip-proxy.ts'
import { expectRowsBeforeProfilesRead, rowsBeforeProfiles } from '../../testing/rows-before-profiles.ts'
import { runStoreConformance } from '../../testing/store-conformance.ts'
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts'
import { createPostgresStore } from './postgres-store.ts'

// Not skipped when the server is missing: a store that cannot be reached must fail its tests.
const connectionString = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
const admin = new pg.Pool({ connectionString, max: 2, connectionTimeoutMillis: 5000 })
afterAll(() => admin.end())

const uniqueSchema = () => `tokensmith_test_${randomBytes(6).toString('hex')}`
const dropSchema = (schema: string) => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)

/** A schema as an issuer that knew only the migrations before `version` left it. */
async function schemaBefore(schema: string, version: number): Promise<void> {
  const s = `"${schema}"`
  await admin.query(`CREATE SCHEMA ${s}`)
  await admin.query(`CREATE TABLE ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`)
  for (const m of POSTGRES_MIGRATIONS.filter((m) => m.version < version)) {
    await admin.query(m.sql(s))
    await admin.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
      m.version,
      m.name,
    ])
  }
}

runStoreConformance(
  'postgres',
  async () => {
    const schema = uniqueSchema()
    const store = createPostgresStore({ connectionString, schema, connectionTimeoutMs: 5000 })
    return {
      store,
      openAnother: () => createPostgresStore({ connectionString, schema, max: 5 }),
      // The foreign key cascades: the user's sessions and tokens go with it.
      deleteUser: async (id) => {
        await admin.query(`DELETE FROM "${schema}".users WHERE id = $1`, [id])
      },
      cleanup: async () => {
        await store.close()
        await dropSchema(schema)
      },
    }
  },
  { sharedByInstances: true },
)

describe('postgres store', () => {
  it('applies each migration once when several instances migrate together', async () => {
    const schema = uniqueSchema()
    const stores = [0, 1, 2].map(() => createPostgresStore({ connectionString, schema, max: 2 }))
    try {
      await Promise.all(stores.map((s) => s.migrate()))
      await stores[0]!.migrate()
      const { rows } = await admin.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)
      expect(rows.map((r: { version: number }) => r.version)).toEqual(
        POSTGRES_MIGRATIONS.map((m) => m.version),
      )
    } finally {
      await Promise.all(stores.map((s) => s.close()))
      await dropSchema(schema)
    }
  })

  it("reads a session from before scopes and client types as a public client's, with no scope", async () => {
    const schema = uniqueSchema()
    const s = `"${schema}"`
    try {
      await schemaBefore(schema, 2)
      await admin.query(`INSERT INTO ${s}.users (id, username, password_hash, created_at, updated_at)
        VALUES ('u', 'old', 'h', 1, 1)`)
      await admin.query(`INSERT INTO ${s}.sessions (id, user_id, client_id, created_at, last_used_at,
        absolute_expires_at) VALUES ('s', 'u', 'default', 1, 1, 1000000)`)
      await admin.query(`INSERT INTO ${s}.refresh_tokens (hash, session_id, generation, created_at,
        idle_expires_at) VALUES ('t', 's', 1, 1, 500000)`)
      const store = createPostgresStore({ connectionString, schema, max: 2 })
      try {
        await store.migrate()
        expect(await store.getSession('s')).toMatchObject({ scope: [], publicClient: true })
        expect(
          await store.rotate({
            tokenHash: 't',
            now: 10,
            clientId: null,
            graceMs: 0,
            successor: { hash: 'n', idleExpiresAt: 500_010, sealed: 'sealed' },
          }),
        ).toMatchObject({ kind: 'rotated', session: { scope: [], publicClient: true } })
      } finally {
        await store.close()
      }
    } finally {
      await dropSchema(schema)
    }
  })

  it('reads a client registered before redirect URIs (migration 4) as one with none', async () => {
    const schema = uniqueSchema()
    const s = `"${schema}"`
    try {
      await schemaBefore(schema, 4)
      await admin.query(`INSERT INTO ${s}.clients (id, name, type, grants, created_at, updated_at)
        VALUES ('old', 'Old app', 'public', '["refresh_token"]', 1, 1)`)
      const store = createPostgresStore({ connectionString, schema, max: 2 })
      try {
        await store.migrate()
        expect(await store.records.get(CLIENTS, { id: 'old' })).toMatchObject({
          grants: ['refresh_token'],
          redirectUris: [],
          postLogoutRedirectUris: [],
        })
      } finally {
        await store.close()
      }
    } finally {
      await dropSchema(schema)
    }
  })

  it('migrates a schema of the release before profiles (migrations 1-7): every row kept, new fields at their defaults', async () => {
    const schema = uniqueSchema()
    try {
      await schemaBefore(schema, 8)
      await admin.query(rowsBeforeProfiles((name) => `"${schema}".${name}`))
      const store = createPostgresStore({ connectionString, schema, max: 2 })
      try {
        await store.migrate()
        await expectRowsBeforeProfilesRead(store)
      } finally {
        await store.close()
      }
    } finally {
      await dropSchema(schema)
    }
  })

  it('refuses an unsafe schema name', () => {
    expect(() => createPostgresStore({ connectionString, schema: 'x"; DROP TABLE y; --' })).toThrow(
      /schema name/,
    )
  })
})

describe('postgres store: rotations that queue together (migration 7)', () => {
  const T0 = 1_700_000_000_000
  const hash = () => randomBytes(32).toString('base64url')
  let schema: string
  let proxy: RoundTripProxy
  let store: ReturnType<typeof createPostgresStore>

  beforeEach(async () => {
    schema = uniqueSchema()
    const url = new URL(connectionString)
    proxy = await startRoundTripProxy({ host: url.hostname, port: Number(url.port || 5432) })
    url.hostname = '127.0.0.1'
    url.port = String(proxy.port)
    // A pool of 4 keeps one rotation call open at a time.
    store = createPostgresStore({ connectionString: url.toString(), schema, max: 4 })
    await store.migrate()
  })
  afterEach(async () => {
    await store.close()
    await proxy.close()
    await dropSchema(schema)
  })

  async function sessions(count: number): Promise<string[]> {
    const user = await createUser(store.records, {
      id: randomUUID(),
      username: 'batch',
      passwordHash: 'h',
      roles: ['r'],
      createdAt: T0,
    })
    const hashes: string[] = []
    for (let i = 0; i < count; i++) {
      const tokenHash = hash()
      await store.createSession({
        id: randomUUID(),
        userId: user.id,
        clientId: 'default',
        createdAt: T0,
        absoluteExpiresAt: T0 + 86_400_000,
        clientIp: null,
        userAgent: null,
        scope: [],
        publicClient: true,
        tokenHash,
        idleExpiresAt: T0 + 3_600_000,
      })
      hashes.push(tokenHash)
    }
    return hashes
  }
  const rotate = (tokenHash: string, successorHash = hash(), graceMs = 10_000) =>
    store.rotate({
      tokenHash,
      clientId: null,
      now: T0 + 1000,
      graceMs,
      successor: { hash: successorHash, idleExpiresAt: T0 + 7_200_000, sealed: `sealed-${successorHash}` },
    })

  it("sends one turn's rotations as one round trip, each answered as if it ran alone, in order", async () => {
    const [warm, ...tokens] = await sessions(6)
    // The first rotation prepares the statements on the connection.
    expect(await rotate(warm!)).toMatchObject({ kind: 'rotated' })
    await rotate(hash()) // and the batch statement's first use, with an unknown token
    await Promise.all([rotate(hash()), rotate(hash())])
    proxy.reset()
    const twice = tokens[0]!
    const results = await Promise.all([...tokens.map((t) => rotate(t)), rotate(twice), rotate(hash())])
    expect(proxy.trips).toBe(1)
    expect(results.slice(0, 5).map((r) => r.kind)).toEqual([
      'rotated',
      'rotated',
      'rotated',
      'rotated',
      'rotated',
    ])
    expect(results[0]).toMatchObject({ generation: 2, roles: ['r'] })
    // The same token again, later in the same batch: it sees the first rotation's writes, as one
    // statement later would, and within the grace window gets the same successor back
    // (docs/issuer.md, "Refresh rotation").
    expect(results[5]).toMatchObject({ kind: 'replayed' })
    expect(results[6]).toEqual({ kind: 'invalid', reason: 'unknown' })
  })

  it('retries each rotation alone when the batch fails, so a conflict refuses only its own', async () => {
    const [a, b, c] = await sessions(3)
    const taken = hash()
    const [first, second, third] = await Promise.allSettled([
      rotate(a!, taken),
      rotate(b!, taken),
      rotate(c!),
    ])
    expect(first).toMatchObject({ status: 'fulfilled', value: { kind: 'rotated' } })
    expect(second).toMatchObject({
      status: 'rejected',
      reason: { name: 'StoreConflictError', field: 'refresh token hash' },
    })
    expect(third).toMatchObject({ status: 'fulfilled', value: { kind: 'rotated' } })
    // The refused rotation consumed nothing: its token still rotates.
    expect(await rotate(b!)).toMatchObject({ kind: 'rotated', generation: 2 })
  })
})
