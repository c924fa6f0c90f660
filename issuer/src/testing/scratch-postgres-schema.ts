// A PostgreSQL store of its own for a test that reaches the store only through DATABASE_URL (a CLI
// in a child process): a fresh schema in the test database, dropped with all its tables after.
import { randomBytes } from 'node:crypto'

export interface ScratchPostgresSchema {
  /** DATABASE_URL for the store in the new schema (`?schema=`, as openStore reads it). */
  url: string
  drop(): Promise<void>
}

export function scratchPostgresSchema(
  baseUrl = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/test',
): ScratchPostgresSchema {
  const schema = `tokensmith_scratch_${randomBytes(6).toString('hex')}`
  return {
    url: `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}schema=${schema}`,
    async drop() {
      const pg = await import('pg')
      const client = new pg.default.Client({ connectionString: baseUrl })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      } finally {
        await client.end()
      }
    },
  }
}
