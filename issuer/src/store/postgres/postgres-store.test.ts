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

  it('refuses an unsafe schema name', () => {
    expect(() => createPostgresStore({ connectionString, schema: 'x"; DROP TABLE y; --' })).toThrow(
      /schema name/,
    )
  })
})
