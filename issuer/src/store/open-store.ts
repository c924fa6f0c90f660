// Picks the store from DATABASE_URL by its scheme. Drivers for the server stores are loaded only
// when chosen, so the embedded SQLite default does not load pg or ioredis.
//   sqlite:./data/issuer.db   sqlite:/abs/path.db   sqlite:///abs/path.db   sqlite::memory:
//   postgres://user@host:5432/db[?schema=name]     (postgresql:// too)
//   redis://host:6379[/db][?prefix=name:]          (rediss:// for TLS)
// The store is returned unmigrated: call `migrate()` before use.

import type { Store } from '../core/store.ts'
import { ConfigError } from '../errors.ts'

export interface OpenStoreOptions {
  /** A long-running server rather than a one-off tool: SQLite checkpoints in the background. */
  server?: boolean
  /** Errors of idle server connections, which the store itself never logs. */
  onError?: (err: Error) => void
  /** How long a revocation entry lasts: ACCESS_TOKEN_TTL plus CLOCK_SKEW (see revocation-store.ts). */
  revocationTtlMs?: number
  /** PostgreSQL pool size; default four per core (the other stores hold one connection). */
  poolSize?: number
}

const VARIABLE = 'DATABASE_URL'
// Often enough that the WAL stays a few MB under full refresh load.
const SERVER_CHECKPOINT_INTERVAL_MS = 200

export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const ttl = options.revocationTtlMs === undefined ? {} : { revocationTtlMs: options.revocationTtlMs }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(databaseUrl)?.[1]?.toLowerCase()
  switch (scheme) {
    case 'sqlite': {
      const { createSqliteStore } = await import('./sqlite/sqlite-store.ts')
      return createSqliteStore({
        path: sqlitePath(databaseUrl),
        ...ttl,
        ...(options.server ? { backgroundCheckpointMs: SERVER_CHECKPOINT_INTERVAL_MS } : {}),
      })
    }
    case 'postgres':
    case 'postgresql': {
      const url = parseUrl(databaseUrl)
      const schema = url.searchParams.get('schema') ?? undefined
      url.searchParams.delete('schema')
      const { createPostgresStore } = await import('./postgres/postgres-store.ts')
      return createPostgresStore({
        connectionString: url.toString(),
        ...ttl,
        ...(schema === undefined ? {} : { schema }),
        ...(options.poolSize === undefined ? {} : { max: options.poolSize }),
        ...(options.onError === undefined ? {} : { onError: options.onError }),
      })
    }
    case 'redis':
    case 'rediss': {
      const url = parseUrl(databaseUrl)
      const prefix = url.searchParams.get('prefix') ?? undefined
      url.searchParams.delete('prefix')
      const { createRedisStore } = await import('./redis/redis-store.ts')
      return createRedisStore({
        url: url.toString(),
        ...ttl,
        ...(prefix === undefined ? {} : { prefix }),
        ...(options.onError === undefined ? {} : { onError: options.onError }),
      })
    }
    default:
      throw new ConfigError(
        VARIABLE,
        `unsupported store ${scheme === undefined ? 'URL' : `scheme "${scheme}:"`}; expected sqlite:<path>, ` +
          'sqlite::memory:, postgres://... or redis://...',
      )
  }
}

function sqlitePath(databaseUrl: string): string {
  let path = databaseUrl.slice('sqlite:'.length)
  // sqlite:///abs/path is the URL spelling of sqlite:/abs/path.
  if (path.startsWith('//')) path = path.slice(2)
  if (path === '') throw new ConfigError(VARIABLE, 'sqlite: needs a file path, e.g. sqlite:./data/issuer.db')
  return path
}

function parseUrl(databaseUrl: string): URL {
  try {
    return new URL(databaseUrl)
  } catch {
    // The URL may hold a password: name the variable, not its value.
    throw new ConfigError(VARIABLE, 'is not a valid URL')
  }
}
