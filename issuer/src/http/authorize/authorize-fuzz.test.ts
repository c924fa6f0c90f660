// Property tests for what /oauth/authorize and the hosted pages parse: every parameter missing,
// repeated, oversized or malformed, random forms, forged form posts. Whatever comes in, the
// answer is never a 5xx; a redirect goes only to a registered redirect URI and carries `iss`
// and either a code or an RFC 6749 §4.1.2.1 error; a refusal at the issuer is an HTML page with
// the strict headers. Where the input decides the answer, the property names it exactly.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUTHORIZATION_PARAMS } from '../../core/authorization/check-authorization-request.ts'
import { hiddenFieldsOf, pkcePair } from '../../testing/browser-session.ts'
import { OAUTH_USER } from '../../testing/oauth-test-issuer.ts'
import {
  createOidcTestIssuer,
  type OidcTestIssuer,
  PARTNER_REDIRECT,
  SPA_REDIRECT,
} from '../../testing/oidc-test-issuer.ts'
import { TEST_ISSUER_URL } from '../../testing/test-issuer.ts'

const RUNS = 120
const AUTHORIZE_ERRORS = [
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'login_required',
  'consent_required',
  'interaction_required',
  'unmet_authentication_requirements',
  'request_not_supported',
  'request_uri_not_supported',
]
/** Errors in these go to the error page: the redirect target is not trusted yet. */
const PAGE_PARAMS = ['client_id', 'redirect_uri']

let t: OidcTestIssuer
const { challenge } = pkcePair()
const VALID: Record<string, string> = {
  client_id: 'spa',
  redirect_uri: SPA_REDIRECT,
  response_type: 'code',
  scope: 'openid profile',
  state: 'st',
  nonce: 'nn',
  code_challenge: challenge,
  code_challenge_method: 'S256',
  prompt: 'login',
  max_age: '60',
  login_hint: 'alice',
  response_mode: 'query',
  claims: '{"userinfo":{"name":null}}',
  acr_values: 'urn:tokensmith:acr:password',
}

beforeAll(async () => {
  t = await createOidcTestIssuer({ LOG_LEVEL: 'warn' })
})
afterAll(async () => {
  expect(t.leakedSecrets()).toEqual([])
  await t.cleanup()
})

const registered = (u: URL) =>
  (u.protocol === 'http:' && u.hostname === '127.0.0.1' && u.pathname === '/callback') ||
  `${u.origin}${u.pathname}` === PARTNER_REDIRECT

/** The contract every answer keeps; a description of the breach, or null. */
async function breach(res: Response): Promise<string | null> {
  const text = await res.text()
  if (![200, 302, 303, 400, 403, 413, 415, 429].includes(res.status)) {
    return `answered ${res.status}: ${text.slice(0, 200)}`
  }
  if (res.status === 302 || res.status === 303) {
    const loc = new URL(res.headers.get('location') ?? 'about:blank')
    if (!registered(loc)) return `redirected to an unregistered ${loc}`
    if (loc.searchParams.get('iss') !== TEST_ISSUER_URL) return `redirect without iss: ${loc}`
    const error = loc.searchParams.get('error')
    if (error === null && loc.searchParams.get('code') === null)
      return `redirect without code or error: ${loc}`
    if (error !== null && !AUTHORIZE_ERRORS.includes(error))
      return `redirect with off-contract error ${error}`
    return null
  }
  if (!(res.headers.get('content-type') ?? '').startsWith('text/html')) return `${res.status} is not a page`
  if (!(res.headers.get('content-security-policy') ?? '').includes("frame-ancestors 'none'")) {
    return `${res.status} page without the CSP`
  }
  if (res.headers.get('cache-control') !== 'no-store') return `${res.status} page without no-store`
  if (res.status >= 400 && !text.includes('role="alert"')) return `${res.status} page without an alert`
  return null
}

const raw = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}=${v}`).join('&')
const enc = (pairs: [string, string][]): [string, string][] =>
  pairs.map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
const get = (query: string) => t.browser().get(`/oauth/authorize?${query}`)

/** What the answer was: a page with its status, or a redirect's `error` (or `code`). */
async function answerOf(res: Response): Promise<string> {
  const loc = res.headers.get('location')
  if (loc === null) return `page ${res.status}`
  const u = new URL(loc)
  return u.searchParams.get('error') ?? (u.searchParams.has('code') ? 'code' : 'neither')
}

const noise = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    ...Object.values(VALID),
    'none',
    'consent',
    'token',
    'plain',
    '0',
    '-1',
    'partner',
    PARTNER_REDIRECT,
    'account',
    '',
  ),
)

describe('random authorization requests', () => {
  it('any mix of the parameters, valid, noise, repeated or dropped: never a 5xx, never an open redirect', async () => {
    const pair = fc.tuple(fc.constantFrom(...AUTHORIZATION_PARAMS, 'request', 'request_uri', 'x'), noise)
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { maxLength: 16 }), fc.boolean(), async (pairs, startValid) => {
        const base = startValid ? Object.entries(VALID) : []
        const res = await get(raw(enc([...base.filter(([k]) => !pairs.some(([p]) => p === k)), ...pairs])))
        expect(await breach(res)).toBeNull()
      }),
      { numRuns: RUNS },
    )
  })

  it('raw query bytes (broken escapes, separators, unicode): never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({
          unit: fc.constantFrom(
            '%',
            '=',
            '&',
            '+',
            ';',
            '?',
            '#',
            'a',
            'E',
            '0',
            'A',
            '4',
            ' ',
            '\u00e9',
            '\u{1F600}',
          ),
          maxLength: 200,
        }),
        async (q) => {
          const res = await get(`${raw(enc(Object.entries(VALID)))}&${q}`)
          expect(await breach(res)).toBeNull()
        },
      ),
      { numRuns: RUNS },
    )
  })
})

describe('each parameter, exactly (RFC 6749 §3.1, §4.1.2.1)', () => {
  const others = (name: string) => Object.entries(VALID).filter(([k]) => k !== name)
  const expectedMissing: Record<string, string> = {
    client_id: 'page 400',
    redirect_uri: 'page 400',
    response_type: 'invalid_request',
    code_challenge: 'invalid_request',
    code_challenge_method: 'invalid_request',
  }

  it.each(AUTHORIZATION_PARAMS)('%s missing', async (name) => {
    const res = await get(raw(enc(others(name))))
    expect(await answerOf(res)).toBe(expectedMissing[name] ?? 'page 200')
  })

  it.each(AUTHORIZATION_PARAMS)(
    '%s repeated: invalid_request (an error page for the client and redirect)',
    async (name) => {
      const res = await get(raw(enc([...Object.entries(VALID), [name, VALID[name] ?? '']])))
      expect(await answerOf(res)).toBe(PAGE_PARAMS.includes(name) ? 'page 400' : 'invalid_request')
    },
  )

  it.each(AUTHORIZATION_PARAMS)(
    '%s oversized: invalid_request (an error page for the client and redirect)',
    async (name) => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2001, max: 6000 }), async (length) => {
          const res = await get(raw(enc([...others(name), [name, 'a'.repeat(length)]])))
          expect(await answerOf(res)).toBe(PAGE_PARAMS.includes(name) ? 'page 400' : 'invalid_request')
        }),
        { numRuns: 5 },
      )
    },
  )

  it.each(AUTHORIZATION_PARAMS)(
    '%s with a malformed escape: invalid_request (an error page for the client and redirect)',
    async (name) => {
      const res = await get(`${raw(enc(others(name)))}&${name}=%E0%A4%A`)
      expect(await answerOf(res)).toBe(PAGE_PARAMS.includes(name) ? 'page 400' : 'invalid_request')
    },
  )

  it('any response_type but code: unsupported_response_type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s !== 'code' && s.trim() !== ''),
        async (type) => {
          const res = await get(raw(enc([...others('response_type'), ['response_type', type]])))
          expect(await answerOf(res)).toBe('unsupported_response_type')
        },
      ),
      { numRuns: 40 },
    )
  })

  it('any code_challenge_method but S256: invalid_request (RFC 7636 §4.4.1)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s !== 'S256' && s.trim() !== ''),
        async (method) => {
          const res = await get(
            raw(enc([...others('code_challenge_method'), ['code_challenge_method', method]])),
          )
          expect(await answerOf(res)).toBe('invalid_request')
        },
      ),
      { numRuns: 40 },
    )
  })

  it('any redirect_uri not registered: the error page, no Location', async () => {
    await fc.assert(
      fc.asyncProperty(fc.webUrl(), async (uri) => {
        fc.pre(!registered(new URL(uri)))
        const res = await get(raw(enc([...others('redirect_uri'), ['redirect_uri', uri]])))
        expect(res.status).toBe(400)
        expect(res.headers.get('location')).toBeNull()
      }),
      { numRuns: 60 },
    )
  })
})

describe('forged form posts', () => {
  async function realForm() {
    const b = t.browser()
    const page = await (
      await b.get(`/oauth/authorize?${raw(enc(Object.entries({ ...VALID, prompt: '' })))}`)
    ).text()
    return { b, fields: hiddenFieldsOf(page) }
  }

  it('without the csrf field, with a random one, or from another browser: 403, and no login happens', async () => {
    const { b, fields } = await realForm()
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
        fc.constantFrom('username', 'password', 'decision'),
        fc.boolean(),
        async (csrf, field, otherBrowser) => {
          const forged = new URLSearchParams(fields)
          forged.delete('csrf')
          if (csrf !== undefined) forged.set('csrf', csrf)
          forged.set('username', OAUTH_USER.username)
          forged.set(field, field === 'decision' ? 'allow' : OAUTH_USER.password)
          const res = await (otherBrowser ? t.browser() : b).post('/oauth/authorize', forged)
          expect(res.status).toBe(403)
          expect(await breach(res)).toBeNull()
        },
      ),
      { numRuns: RUNS },
    )
    expect(b.cookies.has('tokensmith_login')).toBe(false)
  })

  it('random bodies and content types posted to the endpoint: never a 5xx', async () => {
    const { b, fields } = await realForm()
    const body = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc
        .dictionary(
          fc.constantFrom(...AUTHORIZATION_PARAMS, 'csrf', 'username', 'password', 'decision'),
          noise,
        )
        .map((d) => {
          const f = new URLSearchParams(fields)
          for (const [k, v] of Object.entries(d)) f.set(k, v)
          return f.toString()
        }),
    )
    const type = fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
    )
    await fc.assert(
      fc.asyncProperty(body, type, async (text, contentType) => {
        const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
        const res = await t.request('/oauth/authorize', {
          method: 'POST',
          headers: { 'content-type': contentType, cookie },
          body: text,
        })
        expect(await breach(res)).toBeNull()
      }),
      { numRuns: RUNS },
    )
  })

  it('an oversized form: 413 page, never a 5xx', async () => {
    const res = await t.request('/oauth/authorize', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `client_id=spa&state=${'a'.repeat(40_000)}`,
    })
    expect(res.status).toBe(413)
    expect(await breach(res)).toBeNull()
  })
})

describe('the code grant at the token endpoint', () => {
  it('any code, verifier and redirect_uri nobody issued: invalid_grant (RFC 6749 §5.2)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom(...'AZaz09-_'.split('')), minLength: 1, maxLength: 60 }),
        fc.option(fc.string({ maxLength: 130 }), { nil: undefined }),
        fc.constantFrom(SPA_REDIRECT, PARTNER_REDIRECT, 'x'),
        async (code, verifier, redirectUri) => {
          const res = await t.form('/oauth/token', {
            grant_type: 'authorization_code',
            client_id: 'spa',
            code,
            redirect_uri: redirectUri,
            ...(verifier === undefined ? {} : { code_verifier: verifier }),
          })
          expect(res.status).toBe(400)
          expect(((await res.json()) as { error: string }).error).toBe('invalid_grant')
        },
      ),
      { numRuns: RUNS },
    )
  })
})
