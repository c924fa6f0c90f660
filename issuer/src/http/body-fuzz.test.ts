// Property tests for everything the issuer parses from a client: JSON bodies, raw strings and
// bytes, field values of every type, content types, and Authorization headers. Whatever comes
// in, the answer is never a 5xx, and every non-2xx is a `{ code, error }` JSON object.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { leakedLines } from '../testing/http-probe.ts'
import { createTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'

const PASSWORD = 'correct horse battery staple'
const RUNS = 200
let t: TestIssuer
let realRefresh: string

beforeAll(async () => {
  // Cheap scrypt (logins hash on every run) and limits high enough that fuzzing measures the
  // parser, not the lockout; 429 stays an allowed answer all the same.
  t = await createTestIssuer({
    SCRYPT_LOG_N: '10',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
  })
  await t.addUser('alice', PASSWORD)
  const res = await t.request('/auth/login', {
    method: 'POST',
    json: { username: 'alice', password: PASSWORD },
  })
  realRefresh = ((await res.json()) as { refreshToken: string }).refreshToken
})
afterAll(async () => {
  expect(leakedLines(t.logs, [PASSWORD])).toEqual([])
  await t.cleanup()
})

const ALLOWED: Record<string, number[]> = {
  '/auth/login': [200, 400, 401, 403, 413, 415, 429],
  '/auth/refresh': [200, 400, 401, 403, 413, 415],
  '/auth/logout': [200, 400, 403, 413, 415],
  '/auth/sessions': [200, 401],
}
const BODY_PATHS = ['/auth/login', '/auth/refresh', '/auth/logout'] as const

/** The contract every answer keeps; returns a description of the breach, or null. */
async function breach(path: string, res: Response): Promise<string | null> {
  const text = await res.text()
  const allowed = ALLOWED[path] ?? []
  if (!allowed.includes(res.status)) return `${path} answered ${res.status}: ${text.slice(0, 200)}`
  if (res.status < 300) return null
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return `${path} ${res.status} answered non-JSON: ${text.slice(0, 200)}`
  }
  const obj = body as Record<string, unknown> | null
  if (
    obj === null ||
    typeof obj !== 'object' ||
    Object.keys(obj).sort().join() !== 'code,error' ||
    typeof obj.code !== 'string' ||
    typeof obj.error !== 'string'
  ) {
    return `${path} ${res.status} answered an off-contract body: ${text.slice(0, 200)}`
  }
  return null
}

async function check(path: string, init: RequestInit): Promise<void> {
  const problem = await breach(path, await t.request(path, init))
  expect(problem).toBeNull()
}

const post = (body: NonNullable<RequestInit['body']>, type = 'application/json'): RequestInit => ({
  method: 'POST',
  body,
  headers: { 'content-type': type, 'x-forwarded-for': '192.0.2.200' },
})

// Field values of every JSON type, near-misses of real ones included, so the fuzz reaches
// past the parser into field validation, the username normaliser and the token checks.
const fieldValue = fc.oneof(
  fc.jsonValue(),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.constantFrom('alice', 'ALICE', ' alice ', 'ａｌｉｃｅ', PASSWORD, 'rt_', `rt_${'A'.repeat(43)}`, ''),
  fc.string({ unit: fc.constantFrom(...'rt_-ABCxyz019'.split('')), minLength: 40, maxLength: 50 }),
)
const objectBody = fc.record(
  {
    username: fieldValue,
    password: fieldValue,
    refreshToken: fieldValue,
    clientId: fieldValue,
    useCookie: fieldValue,
  },
  { requiredKeys: [] },
)

describe('request bodies', () => {
  it.each(BODY_PATHS)('%s: any JSON value', async (path) => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => check(path, post(JSON.stringify(value) ?? 'null'))),
      { numRuns: RUNS },
    )
  })

  it.each(BODY_PATHS)('%s: objects with fields of any type', async (path) => {
    await fc.assert(
      fc.asyncProperty(objectBody, async (value) => check(path, post(JSON.stringify(value)))),
      { numRuns: RUNS },
    )
  })

  it.each(BODY_PATHS)('%s: any string', async (path) => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 400 }), async (text) =>
        check(path, post(text)),
      ),
      { numRuns: RUNS },
    )
  })

  it.each(BODY_PATHS)('%s: any bytes', async (path) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => check(path, post(bytes))),
      { numRuns: RUNS },
    )
  })

  it('any content type on a valid body', async () => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    })
    await fc.assert(
      fc.asyncProperty(printable, fc.constantFrom(...BODY_PATHS), async (type, path) =>
        check(
          path,
          post(JSON.stringify({ username: 'alice', password: 'nope', refreshToken: 'rt_x' }), type),
        ),
      ),
      { numRuns: RUNS },
    )
  })
})

describe('refresh cookies', () => {
  const cookieChar = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c))
  const cookieValue = fc.oneof(
    fc.string({ unit: cookieChar, maxLength: 200 }),
    fc.string({ unit: fc.constantFrom(...'rt_-ABCxyz019'.split('')), minLength: 40, maxLength: 50 }),
  )
  const origin = fc.constantFrom(undefined, 'https://evil.example', 'null', 'http://issuer.test')

  it.each(['/auth/refresh', '/auth/logout'])('%s: any cookie, with or without Origin', async (path) => {
    await fc.assert(
      fc.asyncProperty(cookieValue, origin, fc.boolean(), async (value, from, csrf) => {
        const headers: Record<string, string> = { cookie: `tokensmith_rt=${value}` }
        if (from !== undefined) headers.origin = from
        if (csrf) headers['x-requested-with'] = 'fetch'
        await check(path, { method: 'POST', headers })
      }),
      { numRuns: RUNS },
    )
  })
})

describe('Authorization headers', () => {
  const headerChar = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c))
  const headerText = fc.string({ unit: headerChar, maxLength: 300 })
  const b64json = fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url'))
  const jwtShaped = fc
    .tuple(b64json, b64json, fc.string({ unit: fc.constantFrom(...'AZaz09-_'.split('')), maxLength: 400 }))
    .map(([h, p, s]) => `${h}.${p}.${s}`)
  const authorization = fc.oneof(
    headerText,
    headerText.map((s) => `Bearer ${s}`),
    jwtShaped.map((s) => `Bearer ${s}`),
    fc.constantFrom('Bearer', 'Bearer ', 'bearer x', 'Basic YWxpY2U6cHc=', `Bearer ${'a'.repeat(9000)}`),
    fc.constant(null).map(() => `Bearer ${realRefresh}`),
  )

  it('/auth/sessions: any Authorization header is a 401 with the contract, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(authorization, async (header) =>
        check('/auth/sessions', { headers: { authorization: header } }),
      ),
      { numRuns: RUNS * 2 },
    )
  })
})
