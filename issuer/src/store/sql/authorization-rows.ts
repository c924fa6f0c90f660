// Rows of the authorization-code flow's tables as both SQL stores read them (snake_case columns,
// scopes space-separated as in `sessions`); pg hands BIGINT as strings, hence Number().
import type {
  AuthorizationCodeRecord,
  ConsentRecord,
  LoginSessionRecord,
} from '../../core/authorization/authorization-store.ts'
import { splitScope } from '../session-scope.ts'

export type AuthorizationRow = Record<string, unknown>

const int = (v: unknown): number => Number(v)
const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))
const str = (v: unknown): string => String(v)

/** How long purge keeps a code past its expiry, so a replay still finds what to revoke. */
export const CODE_REPLAY_MEMORY_MS = 24 * 60 * 60 * 1000

export function codeFromRow(row: AuthorizationRow): AuthorizationCodeRecord {
  return {
    hash: str(row.hash),
    clientId: str(row.client_id),
    userId: str(row.user_id),
    redirectUri: str(row.redirect_uri),
    codeChallenge: str(row.code_challenge),
    scope: splitScope(str(row.scope)),
    nonce: row.nonce === null || row.nonce === undefined ? null : str(row.nonce),
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
