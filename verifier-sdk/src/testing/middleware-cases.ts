import { expect } from 'vitest'
import { TOKENSMITH_ACR } from '../claims/tokensmith-acr.ts'
import { createVerifier } from '../create-verifier.ts'
import { accessToken, createTestKey, T0, TEST_AUDIENCE, TEST_ISSUER } from './test-key.ts'

/**
 * One table of HTTP expectations that both middlewares must meet. Each app under test mounts:
 *   GET /api/me           auth only, answers { sub, roles }
 *   GET /api/admin        auth + requireRole('admin', 'ops')
 *   GET /api/orders       auth + requireScope('orders:read', 'orders:write')
 *   GET /down/me          auth with a verifier whose issuer is unreachable
 *   GET /boom/me          auth with a verifier that throws a non-VerifyError
 *   GET /api/kind         auth only, answers { kind, sid } from the entry point's type guards
 *   GET /api/strong       auth + requireAcr(STRONG_ACR)                       (RFC 9470)
 *   GET /api/recent       auth + requireAuthTime(300, { clock: middlewareClock }) (RFC 9470)
 */
export const middlewareKey = createTestKey('RS256')

/** The verifier's clock, which requireAuthTime is given too. */
export const middlewareClock = (): number => T0

export const middlewareVerifier = createVerifier({
  issuer: TEST_ISSUER,
  audience: TEST_AUDIENCE,
  jwks: { keys: [middlewareKey.publicJwk] },
  clock: middlewareClock,
})

/** What /api/strong accepts: "mfa or stronger", every class listed. */
export const STRONG_ACR = [TOKENSMITH_ACR.mfa, TOKENSMITH_ACR.phishingResistant]
/** What /api/recent allows: an authentication at most this old. */
export const RECENT_MAX_AGE_SEC = 300

export const downVerifier = createVerifier({
  issuer: TEST_ISSUER,
  audience: TEST_AUDIENCE,
  jwksUri: 'http://127.0.0.1:1/jwks.json',
  clock: () => T0,
  fetchTimeoutMs: 2000,
})

export const boomVerifier = {
  verify: (): Promise<never> => Promise.reject(new Error('database on fire')),
}

const good = accessToken(middlewareKey)
const admin = accessToken(middlewareKey, { roles: ['user', 'ops'] })
const scoped = accessToken(middlewareKey, { scope: 'orders:write profile orders:read' })
const halfScoped = accessToken(middlewareKey, { scope: 'orders:read' })
const expired = accessToken(middlewareKey, { exp: T0 / 1000 - 60 })
const forged = `${good.slice(0, -6)}AAAAAA`
/** client_credentials: sub = client_id, no sid, no roles. */
const service = { sub: 'billing-worker', client_id: 'billing-worker', sid: undefined, roles: undefined }
const serviceToken = accessToken(middlewareKey, { ...service, scope: 'orders:read' })
const serviceScoped = accessToken(middlewareKey, { ...service, scope: 'orders:read orders:write' })
const sessionless = accessToken(middlewareKey, { sid: undefined })
const nowSec = T0 / 1000
const passwordOnly = accessToken(middlewareKey, {
  acr: TOKENSMITH_ACR.password,
  amr: ['pwd'],
  auth_time: nowSec - 60,
})
const withMfa = accessToken(middlewareKey, {
  acr: TOKENSMITH_ACR.mfa,
  amr: ['pwd', 'otp', 'mfa'],
  auth_time: nowSec - 600,
})
const withPasskey = accessToken(middlewareKey, {
  acr: TOKENSMITH_ACR.phishingResistant,
  amr: ['hwk', 'user', 'mfa'],
  auth_time: nowSec - RECENT_MAX_AGE_SEC,
})
const mistypedAcr = accessToken(middlewareKey, { acr: 3 })

export interface MiddlewareCase {
  readonly name: string
  readonly path: string
  readonly authorization?: string
  readonly status: number
  readonly code?: string
  /** Exact WWW-Authenticate value, or null for none. */
  readonly challenge?: string | null
  readonly retryAfter?: string
  readonly sub?: string
}

const invalid = 'Bearer realm="api", error="invalid_token", error_description="The access token is invalid."'
// RFC 9470 section 3: error, then acr_values as one quoted, space-separated string, or max_age as
// a bare integer. No realm: like requireScope's, the challenge comes from the requirement.
const stepUp =
  'Bearer error="insufficient_user_authentication", error_description="A stronger or more recent authentication of the user is required."'
const needsStrongAcr = `${stepUp}, acr_values="urn:tokensmith:acr:mfa urn:tokensmith:acr:phishing-resistant"`
const needsRecentLogin = `${stepUp}, max_age=300`

export const middlewareCases: readonly MiddlewareCase[] = [
  { name: 'a good token', path: '/api/me', authorization: `Bearer ${good}`, status: 200, sub: 'user-1' },
  {
    name: 'a lower-case scheme',
    path: '/api/me',
    authorization: `bearer ${good}`,
    status: 200,
    sub: 'user-1',
  },
  {
    name: 'no Authorization header',
    path: '/api/me',
    status: 401,
    code: 'missing_token',
    challenge: 'Bearer realm="api"',
  },
  {
    name: 'another scheme',
    path: '/api/me',
    authorization: 'Basic dXNlcjpwYXNz',
    status: 401,
    code: 'missing_token',
    challenge: 'Bearer realm="api"',
  },
  {
    name: 'Bearer without a token',
    path: '/api/me',
    authorization: 'Bearer',
    status: 401,
    code: 'invalid_token',
    challenge: invalid,
  },
  {
    name: 'two tokens',
    path: '/api/me',
    authorization: `Bearer ${good} ${good}`,
    status: 401,
    code: 'invalid_token',
    challenge: invalid,
  },
  {
    name: 'a token with a comma (two headers joined)',
    path: '/api/me',
    authorization: `Bearer ${good}, Bearer ${good}`,
    status: 401,
    code: 'invalid_token',
    challenge: invalid,
  },
  {
    name: 'a forged token',
    path: '/api/me',
    authorization: `Bearer ${forged}`,
    status: 401,
    code: 'invalid_token',
    challenge: invalid,
  },
  {
    name: 'an expired token',
    path: '/api/me',
    authorization: `Bearer ${expired}`,
    status: 401,
    code: 'token_expired',
    challenge: 'Bearer realm="api", error="invalid_token", error_description="The access token has expired."',
  },
  {
    name: 'a role missing',
    path: '/api/admin',
    authorization: `Bearer ${good}`,
    status: 403,
    code: 'insufficient_role',
    challenge:
      'Bearer error="insufficient_scope", error_description="The access token does not grant access to this resource."',
  },
  {
    name: 'one of the roles',
    path: '/api/admin',
    authorization: `Bearer ${admin}`,
    status: 200,
    sub: 'user-1',
  },
  {
    name: 'a scope missing',
    path: '/api/orders',
    authorization: `Bearer ${halfScoped}`,
    status: 403,
    code: 'insufficient_scope',
    challenge:
      'Bearer error="insufficient_scope", error_description="The access token lacks a required scope.", scope="orders:read orders:write"',
  },
  { name: 'every scope', path: '/api/orders', authorization: `Bearer ${scoped}`, status: 200, sub: 'user-1' },
  {
    name: 'a service token',
    path: '/api/me',
    authorization: `Bearer ${serviceToken}`,
    status: 200,
    sub: 'billing-worker',
  },
  {
    name: 'a service token where a role is required',
    path: '/api/admin',
    authorization: `Bearer ${serviceToken}`,
    status: 403,
    code: 'insufficient_role',
    challenge:
      'Bearer error="insufficient_scope", error_description="The access token does not grant access to this resource."',
  },
  {
    name: 'a service token without every scope',
    path: '/api/orders',
    authorization: `Bearer ${serviceToken}`,
    status: 403,
    code: 'insufficient_scope',
    challenge:
      'Bearer error="insufficient_scope", error_description="The access token lacks a required scope.", scope="orders:read orders:write"',
  },
  {
    name: 'a service token with every scope',
    path: '/api/orders',
    authorization: `Bearer ${serviceScoped}`,
    status: 200,
    sub: 'billing-worker',
  },
  {
    name: "a user's token without its sid",
    path: '/api/me',
    authorization: `Bearer ${sessionless}`,
    status: 401,
    code: 'invalid_token',
    challenge: invalid,
  },
  {
    name: 'a password-only token where mfa or stronger is required',
    path: '/api/strong',
    authorization: `Bearer ${passwordOnly}`,
    status: 401,
    code: 'insufficient_user_authentication',
    challenge: needsStrongAcr,
  },
  {
    name: 'an mfa token',
    path: '/api/strong',
    authorization: `Bearer ${withMfa}`,
    status: 200,
    sub: 'user-1',
  },
  {
    name: 'a phishing-resistant token',
    path: '/api/strong',
    authorization: `Bearer ${withPasskey}`,
    status: 200,
    sub: 'user-1',
  },
  {
    name: 'a token without acr where an acr is required',
    path: '/api/strong',
    authorization: `Bearer ${good}`,
    status: 401,
    code: 'insufficient_user_authentication',
    challenge: needsStrongAcr,
  },
  {
    name: 'a service token where an acr is required',
    path: '/api/strong',
    authorization: `Bearer ${serviceToken}`,
    status: 401,
    code: 'insufficient_user_authentication',
    challenge: needsStrongAcr,
  },
  {
    name: 'an authentication 60 s old where 300 s is allowed',
    path: '/api/recent',
    authorization: `Bearer ${passwordOnly}`,
    status: 200,
    sub: 'user-1',
  },
  {
    name: 'an authentication exactly 300 s old',
    path: '/api/recent',
    authorization: `Bearer ${withPasskey}`,
    status: 200,
    sub: 'user-1',
  },
  {
    name: 'an authentication 600 s old where 300 s is allowed',
    path: '/api/recent',
    authorization: `Bearer ${withMfa}`,
    status: 401,
    code: 'insufficient_user_authentication',
    challenge: needsRecentLogin,
  },
  {
    name: 'a token without auth_time where a recent one is required',
    path: '/api/recent',
    authorization: `Bearer ${good}`,
    status: 401,
    code: 'insufficient_user_authentication',
    challenge: needsRecentLogin,
  },
  {
    name: 'an acr of the wrong type',
    path: '/api/me',
    authorization: `Bearer ${mistypedAcr}`,
    status: 401,
    code: 'invalid_token',
    challenge: invalid,
  },
  {
    name: 'keys unavailable',
    path: '/down/me',
    authorization: `Bearer ${good}`,
    status: 503,
    code: 'keys_unavailable',
    challenge: null,
    retryAfter: '30',
  },
]

/** Every token the cases send: none may ever be echoed back. */
export const middlewareTokens = [
  good,
  admin,
  scoped,
  halfScoped,
  expired,
  forged,
  serviceToken,
  serviceScoped,
  sessionless,
  passwordOnly,
  withMfa,
  withPasskey,
  mistypedAcr,
]

/** The request of a case: its path and, when it has one, its Authorization header. */
export function caseRequest(testCase: MiddlewareCase): { path: string; init: RequestInit } {
  const headers: Record<string, string> = {}
  if (testCase.authorization !== undefined) headers.authorization = testCase.authorization
  return { path: testCase.path, init: { headers } }
}

/** Asserts that an app answered `testCase` as the table says; returns the body text. */
export async function expectCaseAnswer(testCase: MiddlewareCase, res: Response): Promise<string> {
  const text = await res.text()
  expect(res.status).toBe(testCase.status)
  const body = JSON.parse(text)
  if (testCase.status === 200) {
    expect(body.sub).toBe(testCase.sub)
  } else {
    expect(body).toEqual({ code: testCase.code, error: expect.any(String) })
    expect(res.headers.get('www-authenticate')).toBe(testCase.challenge)
    expect(res.headers.get('retry-after')).toBe(testCase.retryAfter ?? null)
    expect(res.headers.get('cache-control')).toBe('no-store')
  }
  const echoed = text + JSON.stringify([...res.headers])
  for (const token of middlewareTokens) expect(echoed).not.toContain(token.split('.')[2])
  return text
}

/** What `/api/kind` answers for a user's and for a service's token (see `kindCases`). */
export interface KindCase {
  readonly authorization: string
  readonly answer: { readonly kind: 'user' | 'service'; readonly sid: string | null }
}

export const kindCases: readonly KindCase[] = [
  { authorization: `Bearer ${good}`, answer: { kind: 'user', sid: 'sid-1' } },
  { authorization: `Bearer ${serviceToken}`, answer: { kind: 'service', sid: null } },
]
