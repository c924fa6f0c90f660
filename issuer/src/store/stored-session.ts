// Sessions and refresh tokens as every store keeps them, declared as fields so the shared codec
// (record-codec.ts) reads them back in any driver's spelling: SQL rows by column, Redis hashes
// by field. Words are space-separated ('' for none, as session-scope.ts writes them).
import { f } from '../core/records/field-spec.ts'
import type { SessionRecord } from '../core/sessions/session-record.ts'
import type { RefreshTokenRecord } from '../core/store.ts'
import type { StoredShape } from './record-codec.ts'

export const STORED_SESSION: StoredShape<SessionRecord> = {
  name: 'sessions',
  fields: {
    id: f.text(),
    userId: f.text(),
    clientId: f.text(),
    createdAt: f.int(),
    lastUsedAt: f.int(),
    absoluteExpiresAt: f.int(),
    revokedAt: f.int({ nullable: true }),
    revokedReason: f.text({ nullable: true }),
    clientIp: f.text({ nullable: true }),
    userAgent: f.text({ nullable: true }),
    scope: f.words(),
    publicClient: f.bool(),
    claims: f.words(),
    amr: f.words(),
    acr: f.text({ nullable: true }),
    authTime: f.int({ nullable: true }),
  },
}

export const STORED_TOKEN: StoredShape<RefreshTokenRecord> = {
  name: 'refresh_tokens',
  fields: {
    hash: f.text(),
    sessionId: f.text(),
    generation: f.int(),
    createdAt: f.int(),
    idleExpiresAt: f.int(),
    consumedAt: f.int({ nullable: true }),
  },
}

/** A user's roles as stored (users.roles, the user hash's roles): a JSON array of strings, as text or parsed jsonb. */
export function rolesOf(value: unknown): string[] {
  const roles: unknown = typeof value === 'string' ? JSON.parse(value) : value
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
    throw new Error('stored user roles are not a JSON array of strings')
  }
  return roles
}
