// Rows as the release before user profiles, PKCE policies, web origins and requested claims wrote
// them (SQLite migrations 1-5, PostgreSQL 1-7; so also before sessions kept their login's amr, acr
// and auth time), for the SQL stores' migration tests: the same statements run on both, and `expectRowsBeforeProfilesRead` checks what the migrated store makes
// of them. An unexpired code among them proves the migration lost none.
import { expect } from 'vitest'
import { AUTHORIZATION_CODES } from '../core/authorization/authorization-code-collection.ts'
import { CLIENTS } from '../core/clients/client-collection.ts'
import type { Store } from '../core/store.ts'
import { findUserByUsername } from '../core/users/find-user-by-username.ts'
import { USERS } from '../core/users/user-collection.ts'

export const BEFORE_PROFILES_NOW = 1_700_000_000_000
const NOW = BEFORE_PROFILES_NOW

/** The INSERTs; `table` qualifies a table name (a PostgreSQL schema, or nothing for SQLite). */
export function rowsBeforeProfiles(table: (name: string) => string): string {
  return `
    INSERT INTO ${table('users')} (id, username, password_hash, roles, created_at, updated_at)
      VALUES ('u', 'old', 'h', '["reader"]', ${NOW}, ${NOW});
    INSERT INTO ${table('clients')} (id, name, type, grants, redirect_uris, created_at, updated_at)
      VALUES ('old-app', 'Old app', 'confidential', '["authorization_code", "refresh_token"]',
        '["https://old.example/cb"]', ${NOW}, ${NOW});
    INSERT INTO ${table('login_sessions')} (id, secret_hash, user_id, auth_time, created_at, last_seen_at,
        idle_expires_at, absolute_expires_at)
      VALUES ('l', 'cookie', 'u', ${NOW}, ${NOW}, ${NOW}, ${NOW + 3_600_000}, ${NOW + 86_400_000});
    INSERT INTO ${table('authorization_codes')} (hash, client_id, user_id, redirect_uri, code_challenge, scope,
        nonce, login_session_id, auth_time, created_at, expires_at)
      VALUES ('code', 'old-app', 'u', 'https://old.example/cb', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        'openid profile', 'n-1', 'l', ${NOW}, ${NOW}, ${NOW + 60_000});
    INSERT INTO ${table('sessions')} (id, user_id, client_id, created_at, last_used_at, absolute_expires_at,
        scope, public_client)
      VALUES ('s', 'u', 'old-app', ${NOW}, ${NOW}, ${NOW + 86_400_000}, 'openid', false);
    INSERT INTO ${table('refresh_tokens')} (hash, session_id, generation, created_at, idle_expires_at)
      VALUES ('t', 's', 1, ${NOW}, ${NOW + 3_600_000});
  `
}

/** What a store migrated over `rowsBeforeProfiles` answers: the rows whole, each new field at its default. */
export async function expectRowsBeforeProfilesRead(store: Store): Promise<void> {
  const user = {
    id: 'u',
    username: 'old',
    passwordHash: 'h',
    roles: ['reader'],
    disabled: false,
    mfaEnrolled: false,
    email: null,
    emailVerified: false,
    name: null,
    givenName: null,
    familyName: null,
    createdAt: NOW,
    updatedAt: NOW,
  }
  expect(await store.records.get(USERS, { id: 'u' })).toEqual(user)
  expect(await findUserByUsername(store.records, 'old')).toEqual(user)
  expect(await store.records.get(CLIENTS, { id: 'old-app' })).toMatchObject({
    type: 'confidential',
    redirectUris: ['https://old.example/cb'],
    pkce: 'openid-optional',
    webOrigins: [],
    requireMfa: false,
  })
  const code = {
    hash: 'code',
    clientId: 'old-app',
    userId: 'u',
    redirectUri: 'https://old.example/cb',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scope: ['openid', 'profile'],
    claims: null,
    nonce: 'n-1',
    loginSessionId: 'l',
    authTime: NOW,
    // Written before login steps recorded their amr: none (read as a password, acr-values.ts).
    amr: [],
    // Written before requests asked for acr classes: none.
    acrValues: [],
    createdAt: NOW,
    expiresAt: NOW + 60_000,
    consumedAt: null,
    sessionId: null,
  }
  expect(await store.records.get(AUTHORIZATION_CODES, { hash: 'code' })).toEqual(code)
  const session = {
    id: 's',
    userId: 'u',
    clientId: 'old-app',
    createdAt: NOW,
    lastUsedAt: NOW,
    absoluteExpiresAt: NOW + 86_400_000,
    revokedAt: null,
    revokedReason: null,
    clientIp: null,
    userAgent: null,
    scope: ['openid'],
    publicClient: false,
    claims: [],
    // Before the login's context was kept: read as a password login, its createdAt the auth time.
    amr: [],
    acr: null,
    authTime: null,
  }
  expect(await store.getSession('s')).toEqual(session)
  expect(await store.listSessions('u', NOW + 1)).toEqual([session])
  expect(
    await store.rotate({
      tokenHash: 't',
      now: NOW + 10,
      clientId: 'old-app',
      graceMs: 0,
      successor: { hash: 't2', idleExpiresAt: NOW + 3_600_010, sealed: 'sealed' },
    }),
  ).toEqual({
    kind: 'rotated',
    generation: 2,
    session: { ...session, lastUsedAt: NOW + 10 },
    roles: ['reader'],
  })
  // The code survived the migration: it still redeems, once.
  const redeemed = await store.redeemOnce(AUTHORIZATION_CODES, { hash: 'code' }, NOW + 20, {
    id: 's2',
    userId: 'u',
    clientId: 'old-app',
    createdAt: NOW + 20,
    absoluteExpiresAt: NOW + 86_400_000,
    clientIp: null,
    userAgent: null,
    scope: ['openid', 'profile'],
    publicClient: false,
    tokenHash: 't3',
    idleExpiresAt: NOW + 3_600_000,
    amr: ['pwd'],
    acr: 'urn:tokensmith:acr:password',
    authTime: NOW,
  })
  expect(redeemed).toMatchObject({
    kind: 'redeemed',
    session: { id: 's2', claims: [], amr: ['pwd'], acr: 'urn:tokensmith:acr:password', authTime: NOW },
  })
  expect(await store.records.get(AUTHORIZATION_CODES, { hash: 'code' })).toEqual({
    ...code,
    consumedAt: NOW + 20,
    sessionId: 's2',
  })
}
