import { openStore, type Store } from '@tokensmith/issuer/admin'

/**
 * The operator CLIs' store: the one in DATABASE_URL (default the issuer's own
 * sqlite:./data/issuer.db), migrated before `fn` and closed after it.
 */
export async function withDatabase<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(process.env.DATABASE_URL || 'sqlite:./data/issuer.db')
  try {
    await store.migrate()
    return await fn(store)
  } finally {
    await store.close()
  }
}
