// Numbered schema migrations for the SQLite store, applied in order and recorded in
// `schema_migrations`. Never edit a released entry: append a new one. Instants are integer
// milliseconds since the epoch, as everywhere in the store contract.
import type { Migration } from '../sql/run-migrations.ts'

export interface SqliteMigration extends Migration {
  sql: string
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        roles TEXT NOT NULL DEFAULT '[]',
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL,
        absolute_expires_at INTEGER NOT NULL,
        revoked_at INTEGER,
        revoked_reason TEXT,
        client_ip TEXT,
        user_agent TEXT
      ) STRICT;
      CREATE INDEX sessions_user_id ON sessions(user_id);
      CREATE INDEX sessions_absolute_expires_at ON sessions(absolute_expires_at);
      CREATE INDEX sessions_revoked_at ON sessions(revoked_at) WHERE revoked_at IS NOT NULL;

      CREATE TABLE refresh_tokens (
        hash TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        generation INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        idle_expires_at INTEGER NOT NULL,
        consumed_at INTEGER,
        successor_hash TEXT,
        successor_sealed TEXT
      ) STRICT;
      CREATE INDEX refresh_tokens_session_id ON refresh_tokens(session_id);
      CREATE INDEX refresh_tokens_idle_expires_at ON refresh_tokens(idle_expires_at);

      CREATE TABLE counters (
        key TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        reset_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX counters_reset_at ON counters(reset_at);
    `,
  },
]
