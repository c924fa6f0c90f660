import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
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
        expect(await store.getClient('old')).toMatchObject({
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

  it('refuses an unsafe schema name', () => {
    expect(() => createPostgresStore({ connectionString, schema: 'x"; DROP TABLE y; --' })).toThrow(
      /schema name/,
    )
  })
})
