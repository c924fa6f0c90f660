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
  {
    version: 2,
    name: 'client registry and remembered keys',
    sql: `
      CREATE TABLE clients (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('public', 'confidential')),
        grants TEXT NOT NULL DEFAULT '[]',
        scopes TEXT NOT NULL DEFAULT '[]',
        audiences TEXT NOT NULL DEFAULT '[]',
        first_party INTEGER NOT NULL DEFAULT 0 CHECK (first_party IN (0, 1)),
        access_token_ttl_sec INTEGER,
        secret_hash TEXT,
        previous_secret_hash TEXT,
        previous_secret_expires_at INTEGER,
        jwks TEXT,
        jwks_uri TEXT,
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE remembered (
        key TEXT PRIMARY KEY,
        until INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX remembered_until ON remembered(until);
    `,
  },
  {
    version: 3,
    name: 'session scope and client type',
    // Every session before this one belongs to a public default client and was granted no scope.
    sql: `
      ALTER TABLE sessions ADD COLUMN scope TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN public_client INTEGER NOT NULL DEFAULT 1 CHECK (public_client IN (0, 1));
    `,
  },
  {
    version: 4,
    name: 'authorization codes, login sessions, consent, redirect URIs',
    // Lists are JSON text as in the other client columns; scopes are space-separated as in sessions.
    sql: `
      ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';

      CREATE TABLE authorization_codes (
        hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        code_challenge TEXT NOT NULL,
        scope TEXT NOT NULL,
        nonce TEXT,
        login_session_id TEXT NOT NULL,
        auth_time INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        consumed_at INTEGER,
        session_id TEXT
      ) STRICT;
      CREATE INDEX authorization_codes_expires_at ON authorization_codes(expires_at);

      CREATE TABLE login_sessions (
        id TEXT PRIMARY KEY,
        secret_hash TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        auth_time INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        idle_expires_at INTEGER NOT NULL,
        absolute_expires_at INTEGER NOT NULL,
        ended_at INTEGER
      ) STRICT;

      CREATE TABLE login_session_sessions (
        login_session_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        PRIMARY KEY (login_session_id, session_id)
      ) STRICT;

      CREATE TABLE consents (
        user_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        granted_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, client_id)
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'revocation feed',
    // The sequence is the feed's cursor (AUTOINCREMENT: never reused); one entry per ended
    // session or user, replaced when the same one ends again later.
    sql: `
      CREATE TABLE revocations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('session', 'user')),
        subject TEXT NOT NULL,
        at INTEGER NOT NULL,
        until INTEGER NOT NULL,
        UNIQUE (kind, subject)
      ) STRICT;
      CREATE INDEX revocations_until ON revocations(until);
    `,
  },
  {
    version: 6,
    name: 'user profile, client PKCE policy and web origins, session claims',
    // What rows from before read as: no profile (e-mail unverified), the PKCE rule every client
    // had (required unless the request is OpenID Connect), no web origins, no requested claims.
    sql: `
      ALTER TABLE users ADD COLUMN email TEXT;
      ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1));
      ALTER TABLE users ADD COLUMN name TEXT;
      ALTER TABLE users ADD COLUMN given_name TEXT;
      ALTER TABLE users ADD COLUMN family_name TEXT;

      ALTER TABLE clients ADD COLUMN pkce TEXT NOT NULL DEFAULT 'openid-optional'
        CHECK (pkce IN ('required', 'openid-optional'));
      ALTER TABLE clients ADD COLUMN web_origins TEXT NOT NULL DEFAULT '[]';

      ALTER TABLE sessions ADD COLUMN claims TEXT NOT NULL DEFAULT '';
    `,
  },
  {
    version: 7,
    name: 'authorization codes without a challenge, with requested claims',
    // SQLite cannot drop NOT NULL in place: the table is rebuilt (create, copy, drop, rename; no
    // foreign key refers to it) inside the migration's transaction, every row copied, consumed
    // ones too, so a live code still redeems and a replayed one still finds the session to
    // revoke. Dropping the old table drops its index; it is made again on the new one.
    sql: `
      CREATE TABLE authorization_codes_new (
        hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        redirect_uri TEXT NOT NULL,
        code_challenge TEXT,
        scope TEXT NOT NULL,
        nonce TEXT,
        login_session_id TEXT NOT NULL,
        auth_time INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        consumed_at INTEGER,
        session_id TEXT,
        claims TEXT
      ) STRICT;
      INSERT INTO authorization_codes_new (hash, client_id, user_id, redirect_uri, code_challenge, scope,
          nonce, login_session_id, auth_time, created_at, expires_at, consumed_at, session_id)
        SELECT hash, client_id, user_id, redirect_uri, code_challenge, scope,
          nonce, login_session_id, auth_time, created_at, expires_at, consumed_at, session_id
        FROM authorization_codes;
      DROP TABLE authorization_codes;
      ALTER TABLE authorization_codes_new RENAME TO authorization_codes;
      CREATE INDEX authorization_codes_expires_at ON authorization_codes(expires_at);
    `,
  },
  {
    version: 8,
    name: 'session authentication context',
    // The login's amr, acr and auth_time, for the session's access tokens (RFC 9068 §2.2.1). Rows
    // from before read as no amr (a password login, acr-values.ts), no acr and no auth_time (the
    // session's created_at stands in). Constant defaults: no table is rewritten.
    sql: `
      ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN acr TEXT;
      ALTER TABLE sessions ADD COLUMN auth_time INTEGER;
    `,
  },
]
