// Property tests for what the /oauth endpoints parse: random forms of the parameters they know,
// raw strings and bytes, content types, Authorization headers, JWT-shaped client assertions.
// Whatever comes in, the answer is never a 5xx, and every non-2xx is RFC 6749 §5.2's
// `{ error, error_description }` with one of its codes. Where the input decides the answer, the
// property names the exact error.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOAuthTestIssuer, OAUTH_USER, type OAuthTestIssuer } from '../../testing/oauth-test-issuer.ts'
import { JWT_BEARER_ASSERTION } from './client-credentials-of.ts'

const RUNS = 150
const PATHS = ['/oauth/token', '/oauth/revoke', '/oauth/introspect'] as const
const ALLOWED: Record<(typeof PATHS)[number], number[]> = {
  '/oauth/token': [200, 400, 401, 413, 429],
  '/oauth/revoke': [200, 400, 401, 413],
  '/oauth/introspect': [200, 400, 401, 413],
}
const ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
]
const KNOWN_PARAMS = [
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'scope',
  'resource',
  'audience',
  'username',
  'password',
  'refresh_token',
  'token',
  'token_type_hint',
]

let t: OAuthTestIssuer
let user: { accessToken: string; refreshToken: string }

beforeAll(async () => {
  t = await createOAuthTestIssuer()
  user = await t.userTokens()
})
afterAll(async () => {
  expect(t.leakedSecrets()).toEqual([])
  await t.cleanup()
})

/** The contract every answer keeps; a description of the breach, or null. */
async function breach(path: (typeof PATHS)[number], res: Response): Promise<string | null> {
  const text = await res.text()
  if (!ALLOWED[path].includes(res.status)) return `${path} answered ${res.status}: ${text.slice(0, 200)}`
  if (res.headers.get('cache-control') !== 'no-store') return `${path} ${res.status} without no-store`
  if (res.status < 300) return null
  let body: Record<string, unknown>
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    return `${path} ${res.status} answered non-JSON: ${text.slice(0, 200)}`
  }
  if (
    body === null ||
    typeof body !== 'object' ||
    Object.keys(body).sort().join() !== 'error,error_description' ||
    typeof body.error_description !== 'string' ||
    !ERRORS.includes(body.error as string)
  ) {
    return `${path} ${res.status} answered an off-contract body: ${text.slice(0, 200)}`
  }
  return null
}

async function check(path: (typeof PATHS)[number], init: RequestInit): Promise<void> {
  expect(await breach(path, await t.request(path, init))).toBeNull()
}

const post = (body: NonNullable<RequestInit['body']>, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  body,
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    'x-forwarded-for': '192.0.2.201',
    ...headers,
  },
})

/** The error the request got: exact-error properties compare it. */
async function errorOf(res: Response): Promise<{ status: number; error: unknown }> {
  const body = (await res.json()) as { error?: unknown }
  return { status: res.status, error: body.error }
}

// Values near real ones as well as noise, so the fuzz reaches past the parser into the grants,
// the client authenticator and the token checks.
const value = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom(
    'client_credentials',
    'password',
    'refresh_token',
    'svc',
    'svc-jwt',
    'default',
    'orders:read',
    'account',
    'urn:orders',
    JWT_BEARER_ASSERTION,
    OAUTH_USER.username,
    OAUTH_USER.password,
    `rt_${'A'.repeat(43)}`,
    'access_token',
    '',
  ),
  fc.constant(null).map(() => t.svcSecret),
  fc.constant(null).map(() => user.refreshToken),
  fc.constant(null).map(() => user.accessToken),
)
const form = fc.dictionary(fc.constantFrom(...KNOWN_PARAMS), value, { maxKeys: 8 })

describe('random forms at every endpoint', () => {
  it.each(PATHS)('%s: any combination of its parameters', async (path) => {
    await fc.assert(
      fc.asyncProperty(form, async (params) => check(path, post(new URLSearchParams(params).toString()))),
      { numRuns: RUNS },
    )
  })

  it.each(PATHS)('%s: any string as the form', async (path) => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 400 }), async (text) =>
        check(path, post(text)),
      ),
      { numRuns: RUNS },
    )
  })

  it.each(PATHS)('%s: any bytes', async (path) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => check(path, post(bytes))),
      { numRuns: RUNS },
    )
  })

  it.each(PATHS)('%s: any content type on a valid body', async (path) => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    })
    const body = () =>
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'svc',
        client_secret: t.svcSecret,
      }).toString()
    await fc.assert(
      fc.asyncProperty(printable, async (type) => check(path, post(body(), { 'content-type': type }))),
      { numRuns: RUNS },
    )
  })

  it.each(PATHS)('%s: any Authorization header', async (path) => {
    const headerChar = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c))
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    const authorization = fc.oneof(
      fc.string({ unit: headerChar, maxLength: 300 }),
      fc.string({ unit: headerChar, maxLength: 120 }).map((s) => `Basic ${s}`),
      fc
        .tuple(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }))
        .map(([id, secret]) => `Basic ${b64(`${id}:${secret}`)}`),
      fc.string({ maxLength: 80 }).map((secret) => `Basic ${b64(`svc:${secret}`)}`),
      fc.constant(null).map(() => `Basic ${b64(`svc:${t.svcSecret}`)}`),
    )
    await fc.assert(
      fc.asyncProperty(authorization, form, async (header, params) =>
        check(path, post(new URLSearchParams(params).toString(), { authorization: header })),
      ),
      { numRuns: RUNS },
    )
  })
})

describe('where the input decides the answer, the exact §5.2 error', () => {
  const svc = () => ({ client_id: 'svc', client_secret: t.svcSecret })

  it('any grant_type the issuer does not speak: unsupported_grant_type', async () => {
    const grant = fc
      .string({ minLength: 1, maxLength: 200 })
      .filter((g) => !['authorization_code', 'password', 'refresh_token', 'client_credentials'].includes(g))
    await fc.assert(
      fc.asyncProperty(grant, async (grant_type) => {
        const res = await t.form('/oauth/token', { ...svc(), grant_type })
        expect(await errorOf(res)).toEqual({ status: 400, error: 'unsupported_grant_type' })
      }),
      { numRuns: RUNS },
    )
  })

  it.each(PATHS)('%s: any wrong client secret for svc: 401 invalid_client', async (path) => {
    const secret = fc.string({ maxLength: 200 }).filter((s) => s !== t.svcSecret)
    await fc.assert(
      fc.asyncProperty(secret, async (client_secret) => {
        const res = await t.form(path, {
          grant_type: 'client_credentials',
          token: 'x',
          client_id: 'svc',
          client_secret,
        })
        expect(await errorOf(res)).toEqual({ status: 401, error: 'invalid_client' })
      }),
      { numRuns: RUNS },
    )
  })

  it('any refresh token never issued: invalid_grant', async () => {
    const token = fc.oneof(
      fc.string({ minLength: 1, maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(...'rt_-ABCxyz019'.split('')), minLength: 40, maxLength: 50 }),
      fc
        .uint8Array({ minLength: 32, maxLength: 32 })
        .map((b) => `rt_${Buffer.from(b).toString('base64url')}`),
    )
    await fc.assert(
      fc.asyncProperty(token, async (refresh_token) => {
        fc.pre(refresh_token.trim() !== '')
        const res = await t.form('/oauth/token', { grant_type: 'refresh_token', refresh_token })
        expect(await errorOf(res)).toEqual({ status: 400, error: 'invalid_grant' })
      }),
      { numRuns: RUNS },
    )
  })

  it('any JWT-shaped client assertion that nobody signed: 401 invalid_client', async () => {
    const b64json = fc
      .jsonValue({ maxDepth: 2 })
      .map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url'))
    const claims = fc
      .record(
        {
          iss: fc.constantFrom('svc-jwt', 'svc', 'nobody'),
          sub: fc.constantFrom('svc-jwt', 'svc', 'nobody'),
          aud: fc.constantFrom(t.tokenEndpoint, 'http://issuer.test', 'x'),
          exp: fc.integer(),
          jti: fc.string({ maxLength: 40 }),
        },
        { requiredKeys: [] },
      )
      .map((c) => Buffer.from(JSON.stringify(c)).toString('base64url'))
    const header = fc.oneof(
      b64json,
      fc
        .constantFrom('none', 'HS256', 'RS256', 'ES256', 'EdDSA', 'Ed25519')
        .map((alg) => Buffer.from(JSON.stringify({ alg, kid: t.svcKey.kid })).toString('base64url')),
    )
    const signature = fc.string({ unit: fc.constantFrom(...'AZaz09-_'.split('')), maxLength: 400 })
    const assertion = fc
      .tuple(header, fc.oneof(b64json, claims), signature)
      .map(([h, p, s]) => `${h}.${p}.${s}`)
    await fc.assert(
      fc.asyncProperty(assertion, async (client_assertion) => {
        const res = await t.form('/oauth/token', {
          grant_type: 'client_credentials',
          client_assertion_type: JWT_BEARER_ASSERTION,
          client_assertion,
        })
        expect(await errorOf(res)).toEqual({ status: 401, error: 'invalid_client' })
      }),
      { numRuns: RUNS },
    )
  })

  it('any well-formed scope the client was not given: invalid_scope', async () => {
    const token = fc
      .string({
        unit: fc.integer({ min: 0x23, max: 0x5b }).map((c) => String.fromCharCode(c)),
        minLength: 1,
        maxLength: 30,
      })
      .filter((s) => s !== 'orders:read')
    await fc.assert(
      fc.asyncProperty(token, async (scope) => {
        const res = await t.form('/oauth/token', { ...svc(), grant_type: 'client_credentials', scope })
        expect(await errorOf(res)).toEqual({ status: 400, error: 'invalid_scope' })
      }),
      { numRuns: RUNS },
    )
  })

  it('any parameters the endpoint does not know are ignored (RFC 6749 §3.1): still a 200', async () => {
    const extra = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 30 }).filter((k) => !KNOWN_PARAMS.includes(k)),
      fc.string({ maxLength: 100 }),
      { maxKeys: 5 },
    )
    await fc.assert(
      fc.asyncProperty(extra, async (params) => {
        const body = new URLSearchParams({ ...params, ...svc(), grant_type: 'client_credentials' })
        const res = await t.form('/oauth/token', body.toString())
        expect(res.status).toBe(200)
      }),
      { numRuns: RUNS },
    )
  })
})
