// For the operator CLIs' tests: each test gets a temporary directory with a SQLite database URL
// in it, removed after the test, and a way to look at that store directly.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore, type Store } from '@tokensmith/issuer/admin'
import { afterEach, beforeEach } from 'vitest'

export interface TempDatabase {
  /** The test's directory. */
  dir: string
  /** DATABASE_URL for the CLI; a test may point it elsewhere (a PostgreSQL schema). */
  url: string
  /** Opens the store at `url`, runs `fn`, closes it. */
  withStore<T>(fn: (store: Store) => Promise<T>): Promise<T>
}

/** Registers the per-test set-up and clean-up; read the fields inside the tests. */
export function useTempDatabase(prefix: string): TempDatabase {
  const db: TempDatabase = {
    dir: '',
    url: '',
    async withStore(fn) {
      const store = await openStore(db.url)
      try {
        return await fn(store)
      } finally {
        await store.close()
      }
    },
  }
  beforeEach(async () => {
    db.dir = await mkdtemp(join(tmpdir(), prefix))
    db.url = `sqlite:${join(db.dir, 'x.db')}`
  })
  afterEach(async () => {
    await rm(db.dir, { recursive: true, force: true })
  })
  return db
}
