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
  {
    version: 6,
    name: 'rotation in one round trip',
    // The whole rotation step of docs/issuer.md ("Refresh rotation") as one server-side function,
    // so a refresh is one statement: the same decisions as core/rotation/plan-rotation.ts (the
    // conformance suite holds both to them) under the same session row lock (FOR UPDATE) and the
    // same compare-and-set consume, all inside the statement's own transaction. It returns the
    // outcome as one row: out_kind, out_detail (the invalid reason or the sealed successor),
    // out_generation, out_session (the session row as jsonb) and out_roles (the user's roles).
    sql: (s) => `
      CREATE FUNCTION ${s}.rotate_refresh(
        p_hash text, p_now bigint, p_client_id text, p_grace_ms bigint,
        p_successor_hash text, p_successor_idle bigint, p_successor_sealed text)
      RETURNS TABLE (out_kind text, out_detail text, out_generation integer, out_session jsonb, out_roles jsonb)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_session_id text;
        v_session ${s}.sessions%ROWTYPE;
        v_token ${s}.refresh_tokens%ROWTYPE;
        v_roles jsonb;
        v_disabled boolean;
        v_user_live boolean;
        v_replay boolean;
        v_next_consumed bigint;
        v_idle bigint;
      BEGIN
        SELECT rt.session_id INTO v_session_id FROM ${s}.refresh_tokens rt WHERE rt.hash = p_hash;
        IF NOT FOUND THEN
          RETURN QUERY SELECT 'invalid'::text, 'unknown'::text, NULL::integer, NULL::jsonb, NULL::jsonb;
          RETURN;
        END IF;
        -- The session lock: every rotate, replay and reuse check of this session waits here, in
        -- whichever instance it runs; the reads below see what the previous holder committed.
        SELECT * INTO v_session FROM ${s}.sessions ss WHERE ss.id = v_session_id FOR UPDATE;
        IF NOT FOUND THEN
          RETURN QUERY SELECT 'invalid'::text, 'unknown'::text, NULL::integer, NULL::jsonb, NULL::jsonb;
          RETURN;
        END IF;
        SELECT * INTO v_token FROM ${s}.refresh_tokens rt WHERE rt.hash = p_hash;
        IF NOT FOUND THEN
          RETURN QUERY SELECT 'invalid'::text, 'unknown'::text, NULL::integer, NULL::jsonb, NULL::jsonb;
          RETURN;
        END IF;
        IF v_session.revoked_at IS NOT NULL THEN
          RETURN QUERY SELECT 'invalid'::text, 'revoked'::text, NULL::integer, NULL::jsonb, NULL::jsonb;
          RETURN;
        END IF;
        IF p_now >= v_session.absolute_expires_at THEN
          RETURN QUERY SELECT 'invalid'::text, 'session_expired'::text, NULL::integer, NULL::jsonb, NULL::jsonb;
          RETURN;
        END IF;
        IF p_now >= v_token.idle_expires_at THEN
          RETURN QUERY SELECT 'invalid'::text, 'idle_expired'::text, NULL::integer, NULL::jsonb, NULL::jsonb;
          RETURN;
        END IF;
        -- Before anything that consumes or revokes: a wrong client must not end the session.
        IF (p_client_id IS NULL AND NOT v_session.public_client)
           OR (p_client_id IS NOT NULL AND v_session.client_id <> p_client_id) THEN
          RETURN QUERY SELECT 'invalid'::text, 'client_mismatch'::text, NULL::integer, NULL::jsonb, NULL::jsonb;
          RETURN;
        END IF;
        SELECT u.roles, u.disabled INTO v_roles, v_disabled FROM ${s}.users u WHERE u.id = v_session.user_id;
        v_user_live := FOUND AND NOT v_disabled;

        -- Consumed: only the newest consumed token may be retried, within the grace window;
        -- anything else is reuse, and the whole session dies.
        IF v_token.consumed_at IS NOT NULL THEN
          v_replay := p_grace_ms > 0 AND p_now - v_token.consumed_at <= p_grace_ms
            AND v_token.successor_hash IS NOT NULL AND v_token.successor_sealed IS NOT NULL;
          IF v_replay THEN
            SELECT n.consumed_at INTO v_next_consumed FROM ${s}.refresh_tokens n WHERE n.hash = v_token.successor_hash;
            v_replay := FOUND AND v_next_consumed IS NULL;
          END IF;
          IF NOT v_replay THEN
            UPDATE ${s}.sessions SET revoked_at = p_now, revoked_reason = 'reuse_detected'
              WHERE id = v_session.id AND revoked_at IS NULL RETURNING * INTO v_session;
            RETURN QUERY SELECT 'reuse_detected'::text, NULL::text, NULL::integer, to_jsonb(v_session), NULL::jsonb;
            RETURN;
          END IF;
        END IF;

        -- Only a token that would be honoured asks about the user: a disabled user's token is
        -- not consumed, the session ends here instead.
        IF NOT v_user_live THEN
          UPDATE ${s}.sessions SET revoked_at = p_now, revoked_reason = 'user_disabled'
            WHERE id = v_session.id AND revoked_at IS NULL;
          RETURN QUERY SELECT 'invalid'::text, 'user_disabled'::text, NULL::integer, NULL::jsonb, NULL::jsonb;
          RETURN;
        END IF;
        IF v_token.consumed_at IS NOT NULL THEN
          RETURN QUERY SELECT 'replayed'::text, v_token.successor_sealed, NULL::integer, to_jsonb(v_session), v_roles;
          RETURN;
        END IF;

        -- Rotation never extends the session's absolute lifetime.
        v_idle := LEAST(p_successor_idle, v_session.absolute_expires_at);
        UPDATE ${s}.refresh_tokens SET consumed_at = p_now, successor_hash = p_successor_hash,
            successor_sealed = p_successor_sealed
          WHERE hash = p_hash AND consumed_at IS NULL;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'refresh token changed while its session was locked';
        END IF;
        INSERT INTO ${s}.refresh_tokens (hash, session_id, generation, created_at, idle_expires_at)
          VALUES (p_successor_hash, v_session.id, v_token.generation + 1, p_now, v_idle);
        UPDATE ${s}.sessions SET last_used_at = GREATEST(last_used_at, p_now)
          WHERE id = v_session.id RETURNING * INTO v_session;
        RETURN QUERY SELECT 'rotated'::text, NULL::text, v_token.generation + 1, to_jsonb(v_session), v_roles;
      END
      $fn$;
    `,
  },
  {
    version: 7,
    name: 'rotations in batches',
    // Several rotations in one statement and one transaction (group commit, as the SQLite store
    // does): the store sends the rotations that queue while every connection is busy as one call.
    // Each runs rotate_refresh exactly as alone, one after another, so a later one sees an
    // earlier one's writes. The sessions are locked first, all together in id order: the only
    // other statement that locks several sessions and waits (revokeUserSessions) takes them in
    // that order too, so two of them never wait on each other in a cycle. (Purge skips locked
    // rows; deleting a user cascades in its own order, and if that deadlocks with a batch, the
    // store retries the batch's rotations one at a time.)
    sql: (s) => `
      CREATE FUNCTION ${s}.rotate_refresh_batch(
        p_hash text[], p_now bigint[], p_client_id text[], p_grace_ms bigint[],
        p_successor_hash text[], p_successor_idle bigint[], p_successor_sealed text[])
      RETURNS TABLE (out_index integer, out_kind text, out_detail text, out_generation integer,
        out_session jsonb, out_roles jsonb)
      LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM 1 FROM ${s}.sessions ss
          WHERE ss.id IN (SELECT rt.session_id FROM unnest(p_hash) h JOIN ${s}.refresh_tokens rt ON rt.hash = h)
          ORDER BY ss.id FOR UPDATE OF ss;
        FOR i IN 1 .. coalesce(array_length(p_hash, 1), 0) LOOP
          RETURN QUERY SELECT i, r.* FROM ${s}.rotate_refresh(p_hash[i], p_now[i], p_client_id[i],
            p_grace_ms[i], p_successor_hash[i], p_successor_idle[i], p_successor_sealed[i]) r;
        END LOOP;
      END
      $fn$;
    `,
  },
  {
    version: 8,
    name: 'user profile, client PKCE policy and web origins, session claims',
    // The same columns as SQLite's migration 6, with what rows from before read as: no profile
    // (e-mail unverified), the PKCE rule every client had (required unless the request is OpenID
    // Connect), no web origins, no requested claims. Constant defaults: no table is rewritten.
    // rotate_refresh (migration 6) answers the session as to_jsonb of its %ROWTYPE row, which
    // follows the table: the new claims column comes back from a rotation with no change to it.
    sql: (s) => `
      ALTER TABLE ${s}.users
        ADD COLUMN email text,
        ADD COLUMN email_verified boolean NOT NULL DEFAULT false,
        ADD COLUMN name text,
        ADD COLUMN given_name text,
        ADD COLUMN family_name text;

      ALTER TABLE ${s}.clients
        ADD COLUMN pkce text NOT NULL DEFAULT 'openid-optional' CHECK (pkce IN ('required', 'openid-optional')),
        ADD COLUMN web_origins jsonb NOT NULL DEFAULT '[]';

      ALTER TABLE ${s}.sessions ADD COLUMN claims text NOT NULL DEFAULT '';
    `,
  },
  {
    version: 9,
    name: 'authorization codes without a challenge, with requested claims',
    // As SQLite's migration 7, in place: PostgreSQL drops NOT NULL without rewriting the table.
    sql: (s) => `
      ALTER TABLE ${s}.authorization_codes
        ALTER COLUMN code_challenge DROP NOT NULL,
        ADD COLUMN claims jsonb;
    `,
  },
  {
    version: 10,
    name: 'session authentication context',
    // As SQLite's migration 8. rotate_refresh answers to_jsonb of the session's %ROWTYPE row, which
    // follows the table (as for claims, migration 8): the rotation returns the new columns unchanged.
    sql: (s) => `
      ALTER TABLE ${s}.sessions
        ADD COLUMN amr text NOT NULL DEFAULT '',
        ADD COLUMN acr text,
        ADD COLUMN auth_time bigint;
    `,
  },
]
