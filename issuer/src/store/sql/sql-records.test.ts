// The generic records on both SQL stores: the one implementation (create-sql-records.ts) over
// SQLite and over PostgreSQL, with collections declared only in the test.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll } from 'vitest'
import { runRecordsConformance } from '../../testing/records-conformance.ts'
import { createPostgresStore } from '../postgres/postgres-store.ts'
import { createSqliteStore } from '../sqlite/sqlite-store.ts'

runRecordsConformance('sqlite', async (collections) => {
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-records-'))
  const path = join(dir, 'issuer.db')
  const store = createSqliteStore({ path, collections })
  return {
    store,
    reopen: (later) => createSqliteStore({ path, collections: later }),
    cleanup: async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
})

// Not skipped when the server is missing: a store that cannot be reached must fail its tests.
const connectionString = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
const admin = new pg.Pool({ connectionString, max: 2, connectionTimeoutMillis: 5000 })
afterAll(() => admin.end())

runRecordsConformance('postgres', async (collections) => {
  const schema = `tokensmith_test_${randomBytes(6).toString('hex')}`
  const store = createPostgresStore({ connectionString, schema, collections, connectionTimeoutMs: 5000 })
  return {
    store,
    reopen: (later) => createPostgresStore({ connectionString, schema, collections: later, max: 2 }),
    cleanup: async () => {
      await store.close()
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    },
  }
})
