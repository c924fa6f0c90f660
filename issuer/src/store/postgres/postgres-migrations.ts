// Numbered schema migrations for the PostgreSQL store, applied in order under an advisory lock and
// recorded in `<schema>.schema_migrations`. Never edit a released entry: append a new one.
// `s` is the quoted schema name. Instants are bigint milliseconds since the epoch.
import type { Migration } from '../sql/run-migrations.ts'

export interface PostgresMigration extends Migration {
  sql: (s: string) => string
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: (s) => `
      CREATE TABLE ${s}.users (
        id text PRIMARY KEY,
        username text NOT NULL CONSTRAINT users_username_key UNIQUE,
        password_hash text NOT NULL,
        roles jsonb NOT NULL DEFAULT '[]',
        disabled boolean NOT NULL DEFAULT false,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
      );

      CREATE TABLE ${s}.sessions (
        id text PRIMARY KEY,
        user_id text NOT NULL REFERENCES ${s}.users(id) ON DELETE CASCADE,
        client_id text NOT NULL,
        created_at bigint NOT NULL,
        last_used_at bigint NOT NULL,
        absolute_expires_at bigint NOT NULL,
        revoked_at bigint,
        revoked_reason text,
        client_ip text,
        user_agent text
      );
      CREATE INDEX sessions_user_id ON ${s}.sessions (user_id);
      CREATE INDEX sessions_absolute_expires_at ON ${s}.sessions (absolute_expires_at);
      CREATE INDEX sessions_revoked_at ON ${s}.sessions (revoked_at) WHERE revoked_at IS NOT NULL;

      CREATE TABLE ${s}.refresh_tokens (
        hash text PRIMARY KEY,
        session_id text NOT NULL REFERENCES ${s}.sessions(id) ON DELETE CASCADE,
        generation integer NOT NULL,
        created_at bigint NOT NULL,
        idle_expires_at bigint NOT NULL,
        consumed_at bigint,
        successor_hash text,
        successor_sealed text
      );
      CREATE INDEX refresh_tokens_session_id ON ${s}.refresh_tokens (session_id);
      CREATE INDEX refresh_tokens_idle_expires_at ON ${s}.refresh_tokens (idle_expires_at);

      CREATE TABLE ${s}.counters (
        key text PRIMARY KEY,
        count integer NOT NULL,
        reset_at bigint NOT NULL
      );
      CREATE INDEX counters_reset_at ON ${s}.counters (reset_at);
    `,
  },
  {
    version: 2,
    name: 'client registry and remembered keys',
    sql: (s) => `
      CREATE TABLE ${s}.clients (
        id text PRIMARY KEY,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('public', 'confidential')),
        grants jsonb NOT NULL DEFAULT '[]',
        scopes jsonb NOT NULL DEFAULT '[]',
        audiences jsonb NOT NULL DEFAULT '[]',
        first_party boolean NOT NULL DEFAULT false,
        access_token_ttl_sec integer,
        secret_hash text,
        previous_secret_hash text,
        previous_secret_expires_at bigint,
        jwks jsonb,
        jwks_uri text,
        disabled boolean NOT NULL DEFAULT false,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
      );

      CREATE TABLE ${s}.remembered (
        key text PRIMARY KEY,
        until bigint NOT NULL
      );
      CREATE INDEX remembered_until ON ${s}.remembered (until);
    `,
  },
  {
    version: 3,
    name: 'session scope and client type',
    // Every session before this one belongs to a public default client and was granted no scope.
    sql: (s) => `
      ALTER TABLE ${s}.sessions ADD COLUMN scope text NOT NULL DEFAULT '';
      ALTER TABLE ${s}.sessions ADD COLUMN public_client boolean NOT NULL DEFAULT true;
    `,
  },
  {
    version: 4,
    name: 'authorization codes, login sessions, consent, redirect URIs',
    // The same tables as SQLite's migration 4: lists jsonb as in the other client columns, scopes
    // space-separated as in sessions. No foreign keys, as there: purge removes what is dead.
    sql: (s) => `
      ALTER TABLE ${s}.clients ADD COLUMN redirect_uris jsonb NOT NULL DEFAULT '[]';
      ALTER TABLE ${s}.clients ADD COLUMN post_logout_redirect_uris jsonb NOT NULL DEFAULT '[]';

      CREATE TABLE ${s}.authorization_codes (
        hash text PRIMARY KEY,
        client_id text NOT NULL,
        user_id text NOT NULL,
        redirect_uri text NOT NULL,
        code_challenge text NOT NULL,
        scope text NOT NULL,
        nonce text,
        login_session_id text NOT NULL,
        auth_time bigint NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        consumed_at bigint,
        session_id text
      );
      CREATE INDEX authorization_codes_expires_at ON ${s}.authorization_codes (expires_at);

      CREATE TABLE ${s}.login_sessions (
        id text PRIMARY KEY,
        secret_hash text NOT NULL CONSTRAINT login_sessions_secret_hash_key UNIQUE,
        user_id text NOT NULL,
        auth_time bigint NOT NULL,
        created_at bigint NOT NULL,
        last_seen_at bigint NOT NULL,
        idle_expires_at bigint NOT NULL,
        absolute_expires_at bigint NOT NULL,
        ended_at bigint
      );

      CREATE TABLE ${s}.login_session_sessions (
        login_session_id text NOT NULL,
        session_id text NOT NULL,
        PRIMARY KEY (login_session_id, session_id)
      );
      CREATE INDEX login_session_sessions_session_id ON ${s}.login_session_sessions (session_id);

      CREATE TABLE ${s}.consents (
        user_id text NOT NULL,
        client_id text NOT NULL,
        scope text NOT NULL,
        granted_at bigint NOT NULL,
        PRIMARY KEY (user_id, client_id)
      );
    `,
  },
  {
    version: 5,
    name: 'revocation feed',
    // The feed's cursor is one counter row, not a SEQUENCE: see writeEntry in postgres-store.ts.
    sql: (s) => `
      CREATE TABLE ${s}.revocations (
        seq bigint PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('session', 'user')),
        subject text NOT NULL,
        at bigint NOT NULL,
        until bigint NOT NULL,
        UNIQUE (kind, subject)
      );
      CREATE INDEX revocations_until ON ${s}.revocations (until);
      CREATE TABLE ${s}.revocation_cursor (
        id integer PRIMARY KEY CHECK (id = 1),
        value bigint NOT NULL
      );
      INSERT INTO ${s}.revocation_cursor (id, value) VALUES (1, 0);
    `,
  },
]
