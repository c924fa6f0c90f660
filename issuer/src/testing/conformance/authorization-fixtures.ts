// The browser flow's records for the conformance suites: login sessions, authorization codes as
// `/oauth/authorize` issues them (unconsumed), and the sessions their redemptions start.
import { randomUUID } from 'node:crypto'
import {
  AUTHORIZATION_CODES,
  type AuthorizationCodeRecord,
} from '../../core/authorization/authorization-code-collection.ts'
import { LOGIN_SESSIONS, type LoginSessionRecord } from '../../core/authorization/login-session-collection.ts'
import type { NewSession } from '../../core/sessions/session-record.ts'
import type { Store } from '../../core/store.ts'
import type { UserRecord } from '../../core/users/user-collection.ts'
import { ABSOLUTE, addUser, DAY, IDLE, newHash, T0 } from './fixtures.ts'

// RFC 6749 §4.1.2: a code is short-lived and single use; these lifetimes are the flow's own.
export const CODE_TTL = 60_000
export const LOGIN_IDLE = DAY
export const LOGIN_ABSOLUTE = 7 * DAY

export const loginSession = (
  userId: string,
  at = T0,
  opts: Partial<LoginSessionRecord> = {},
): LoginSessionRecord => ({
  id: randomUUID(),
  secretHash: newHash(),
  userId,
  authTime: at,
  amr: ['pwd'],
  createdAt: at,
  lastSeenAt: at,
  idleExpiresAt: at + LOGIN_IDLE,
  absoluteExpiresAt: at + LOGIN_ABSOLUTE,
  endedAt: null,
  ...opts,
})

export const authorizationCode = (
  userId: string,
  loginSessionId: string,
  at = T0,
  opts: Partial<AuthorizationCodeRecord> = {},
): AuthorizationCodeRecord => ({
  hash: newHash(),
  clientId: 'web',
  userId,
  redirectUri: 'https://app.example/callback',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  scope: ['openid', 'profile'],
  claims: null,
  nonce: 'n-0S6_WzA2Mj',
  loginSessionId,
  authTime: at - 5000,
  amr: ['pwd', 'otp'],
  acrValues: ['urn:tokensmith:acr:mfa', 'urn:tokensmith:acr:phishing-resistant'],
  createdAt: at,
  expiresAt: at + CODE_TTL,
  consumedAt: null,
  sessionId: null,
  ...opts,
})

/** The session a redemption of `code` at `at` would start. */
export const sessionFor = (code: AuthorizationCodeRecord, at: number): NewSession => ({
  id: randomUUID(),
  userId: code.userId,
  clientId: code.clientId,
  createdAt: at,
  absoluteExpiresAt: at + ABSOLUTE,
  clientIp: '198.51.100.4',
  userAgent: 'conformance-browser/1.0',
  scope: code.scope,
  publicClient: true,
  tokenHash: newHash(),
  idleExpiresAt: at + IDLE,
})

/** A user, a live login session and one code issued in it at T0, stored. */
export async function issued(
  store: Store,
  opts: Partial<AuthorizationCodeRecord> = {},
): Promise<{ user: UserRecord; login: LoginSessionRecord; code: AuthorizationCodeRecord }> {
  const user = await addUser(store)
  const login = loginSession(user.id)
  await store.records.insert(LOGIN_SESSIONS, login)
  const code = authorizationCode(user.id, login.id, T0, opts)
  await store.records.insert(AUTHORIZATION_CODES, code)
  return { user, login, code }
}
