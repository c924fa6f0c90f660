import { ConfigError } from '../errors.ts'
import { createSqliteStore } from './sqlite-store.ts'
import type { Store } from './store.ts'

/** Opens the store a DATABASE_URL names: `sqlite:<path>` (relative to the working directory) or `sqlite::memory:`. */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    return createSqliteStore({ path: databaseUrl.slice('sqlite:'.length) })
  }
  throw new ConfigError('DATABASE_URL', `unsupported store "${databaseUrl.split(':')[0]}"`)
}
