import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts'
import { createPostgresStore } from './postgres-store.ts'
import { runStoreConformance } from './store-conformance.ts'

// Not skipped when the server is missing: a store that cannot be reached must fail its tests.
const connectionString = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
const admin = new pg.Pool({ connectionString, max: 2, connectionTimeoutMillis: 5000 })
afterAll(() => admin.end())

const uniqueSchema = () => `tokensmith_test_${randomBytes(6).toString('hex')}`
const dropSchema = (schema: string) => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)

runStoreConformance('postgres', async () => {
  const schema = uniqueSchema()
  const store = createPostgresStore({ connectionString, schema, connectionTimeoutMs: 5000 })
  return {
    store,
    cleanup: async () => {
      await store.close()
      await dropSchema(schema)
    },
  }
})

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

  it('keeps at most one successor when two instances race 25 refreshes each with one token', async () => {
    const schema = uniqueSchema()
    const a = createPostgresStore({ connectionString, schema, max: 5 })
    const b = createPostgresStore({ connectionString, schema, max: 5 })
    try {
      await a.migrate()
      const now = 1_700_000_000_000
      await a.createUser({ id: 'u', username: 'racer', passwordHash: 'h', roles: [], createdAt: now })
      await a.createSession({
        id: 'fam',
        userId: 'u',
        clientId: 'c',
        createdAt: now,
        absoluteExpiresAt: now + 30 * 86_400_000,
        clientIp: null,
        userAgent: null,
        tokenHash: 'presented',
        idleExpiresAt: now + 86_400_000,
      })
      const attempt = (store: typeof a) => {
        const hash = randomBytes(32).toString('hex')
        return store
          .rotate({
            tokenHash: 'presented',
            now: now + 1000,
            graceMs: 10_000,
            successor: { hash, idleExpiresAt: now + 2 * 86_400_000, sealed: `sealed.${hash}` },
          })
          .then((result) => ({ result, hash }))
      }
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(i % 2 === 0 ? a : b)))
      const rotated = results.filter((r) => r.result.kind === 'rotated')
      expect(rotated).toHaveLength(1)
      const winner = rotated[0]!.hash
      for (const r of results) {
        if (r.result.kind !== 'rotated')
          expect(r.result).toMatchObject({ kind: 'replayed', sealedSuccessor: `sealed.${winner}` })
      }
      const { rows } = await admin.query(
        `SELECT hash, consumed_at FROM "${schema}".refresh_tokens WHERE session_id = 'fam' ORDER BY generation`,
      )
      expect(rows).toEqual([
        { hash: 'presented', consumed_at: String(now + 1000) },
        { hash: winner, consumed_at: null },
      ])
    } finally {
      await a.close()
      await b.close()
      await dropSchema(schema)
    }
  })

  it('refuses an unsafe schema name', () => {
    expect(() => createPostgresStore({ connectionString, schema: 'x"; DROP TABLE y; --' })).toThrow(
      /schema name/,
    )
  })
})
