// Rows of the authorization-code flow's tables as both SQL stores read them (snake_case columns,
// scopes space-separated as in `sessions`, requested claims as JSON text or jsonb); pg hands
// BIGINT as strings, hence Number().
import type {
  AuthorizationCodeRecord,
  ConsentRecord,
  LoginSessionRecord,
} from '../../core/authorization/authorization-store.ts'
import { claimsFromJson, claimsJson } from '../requested-claims-json.ts'
import { joinScope, splitScope } from '../session-scope.ts'

export type AuthorizationRow = Record<string, unknown>

const int = (v: unknown): number => Number(v)
const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))
const str = (v: unknown): string => String(v)
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))

/** How long purge keeps a code past its expiry, so a replay still finds what to revoke. */
export const CODE_REPLAY_MEMORY_MS = 24 * 60 * 60 * 1000

/** The columns an INSERT of a code names, in the order of `codeValues`. */
export const CODE_COLUMNS = [
  'hash',
  'client_id',
  'user_id',
  'redirect_uri',
  'code_challenge',
  'scope',
  'claims',
  'nonce',
  'login_session_id',
  'auth_time',
  'created_at',
  'expires_at',
] as const

export function codeValues(code: AuthorizationCodeRecord): (string | number | null)[] {
  return [
    code.hash,
    code.clientId,
    code.userId,
    code.redirectUri,
    code.codeChallenge,
    joinScope(code.scope),
    claimsJson(code.claims),
    code.nonce,
    code.loginSessionId,
    code.authTime,
    code.createdAt,
    code.expiresAt,
  ]
}

/** The columns an INSERT of a login session names, in the order of `loginSessionValues`. */
export const LOGIN_SESSION_COLUMNS = [
  'id',
  'secret_hash',
  'user_id',
  'auth_time',
  'created_at',
  'last_seen_at',
  'idle_expires_at',
  'absolute_expires_at',
  'ended_at',
] as const

/** The idle expiry is clamped to the absolute one, as every store keeps it. */
export function loginSessionValues(login: LoginSessionRecord): (string | number | null)[] {
  return [
    login.id,
    login.secretHash,
    login.userId,
    login.authTime,
    login.createdAt,
    login.lastSeenAt,
    Math.min(login.idleExpiresAt, login.absoluteExpiresAt),
    login.absoluteExpiresAt,
    login.endedAt,
  ]
}

export function codeFromRow(row: AuthorizationRow): AuthorizationCodeRecord {
  return {
    hash: str(row.hash),
    clientId: str(row.client_id),
    userId: str(row.user_id),
    redirectUri: str(row.redirect_uri),
    codeChallenge: strOrNull(row.code_challenge),
    scope: splitScope(str(row.scope)),
    claims: claimsFromJson(row.claims),
    nonce: strOrNull(row.nonce),
    loginSessionId: str(row.login_session_id),
    authTime: int(row.auth_time),
    createdAt: int(row.created_at),
    expiresAt: int(row.expires_at),
  }
}

export function loginSessionFromRow(row: AuthorizationRow): LoginSessionRecord {
  return {
    id: str(row.id),
    secretHash: str(row.secret_hash),
    userId: str(row.user_id),
    authTime: int(row.auth_time),
    createdAt: int(row.created_at),
    lastSeenAt: int(row.last_seen_at),
    idleExpiresAt: int(row.idle_expires_at),
    absoluteExpiresAt: int(row.absolute_expires_at),
    endedAt: intOrNull(row.ended_at),
  }
}

export function consentFromRow(row: AuthorizationRow): ConsentRecord {
  return {
    userId: str(row.user_id),
    clientId: str(row.client_id),
    scope: splitScope(str(row.scope)),
    grantedAt: int(row.granted_at),
  }
}
