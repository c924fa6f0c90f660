// The browser's login sessions at the issuer (single sign-on): `login_sessions` / `login-session:<id>`.
// The cookie's secret is kept only as its SHA-256. Ending one is a store step (it also answers
// the sessions its codes started); the rest is plain records.
import { defineCollection } from '../records/collection.ts'
import { f } from '../records/field-spec.ts'

/** The browser's login session at the issuer, named by an httpOnly cookie. */
export interface LoginSessionRecord {
  /** Public id: the OpenID Connect `sid`; not the cookie's secret. */
  id: string
  /** SHA-256 (hex) of the cookie's secret value. */
  secretHash: string
  userId: string
  /** When the user last passed a login step here (OIDC `auth_time`). */
  authTime: number
  /** The RFC 8176 `amr` values of the steps passed (core/login/login-step.ts). */
  amr: string[]
  createdAt: number
  lastSeenAt: number
  idleExpiresAt: number
  absoluteExpiresAt: number
  endedAt: number | null
}

export const LOGIN_SESSIONS = defineCollection<LoginSessionRecord>({
  name: 'login_sessions',
  redisKey: 'login-session',
  key: ['id'],
  unique: ['secretHash'],
  // A change of sign-in factors ends the user's other login sessions.
  indexes: ['userId'],
  // The idle expiry never passes the absolute one, and ending a login session sets it to the end.
  expiry: { field: 'idleExpiresAt' },
  fields: {
    id: f.text(),
    secretHash: f.text(),
    userId: f.text(),
    authTime: f.int(),
    amr: f.words(),
    createdAt: f.int(),
    lastSeenAt: f.int(),
    idleExpiresAt: f.int(),
    absoluteExpiresAt: f.int(),
    endedAt: f.int({ nullable: true }),
  },
})
