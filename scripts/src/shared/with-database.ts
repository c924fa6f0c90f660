import { loadConfig, openStore, retentionNeededSec, type Store } from '@tokensmith/issuer/admin'

/**
 * The operator CLIs' store: the one in DATABASE_URL (default the issuer's own
 * sqlite:./data/issuer.db), migrated before `fn` and closed after it.
 */
export async function withDatabase<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  // Revocation entries the CLI writes (disable, set-password) last as long as the issuer's own.
  const store = await openStore(process.env.DATABASE_URL || 'sqlite:./data/issuer.db', {
    revocationTtlMs: retentionNeededSec(loadConfig()) * 1000,
  })
  try {
    await store.migrate()
    return await fn(store)
  } finally {
    await store.close()
  }
}
