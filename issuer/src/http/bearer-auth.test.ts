// The Bearer grammar at the issuer's session endpoints: RFC 6750 section 2.1, as the SDK parses it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'

const PASSWORD = 'correct horse battery staple'
let t: TestIssuer
let accessToken: string

beforeAll(async () => {
  t = await createTestIssuer()
  await t.addUser('alice', PASSWORD)
  const res = await t.request('/auth/login', {
    method: 'POST',
    json: { username: 'alice', password: PASSWORD, scope: 'account' },
  })
  accessToken = ((await res.json()) as { accessToken: string }).accessToken
})
afterAll(async () => {
  await t.cleanup()
})

const sessions = (authorization?: string) =>
  t.request('/auth/sessions', authorization === undefined ? {} : { headers: { authorization } })

async function refusal(res: Response) {
  expect(res.status).toBe(401)
  const body = (await res.json()) as { code: string; error: string }
  expect(Object.keys(body).sort()).toEqual(['code', 'error'])
  return { code: body.code, challenge: res.headers.get('www-authenticate') }
}

describe('bearerAuth', () => {
  it('accepts the scheme in any case, with one space or several', async () => {
    for (const header of [`Bearer ${accessToken}`, `Bearer   ${accessToken}`, `bEARER ${accessToken}`]) {
      const res = await sessions(header)
      expect(res.status).toBe(200)
      expect(res.headers.get('www-authenticate')).toBeNull()
    }
  })

  it('answers no header, or another scheme, with missing_token and the bare challenge', async () => {
    for (const header of [undefined, 'Basic YWxpY2U6cHc=', `Bearer${accessToken}`, `Token ${accessToken}`]) {
      expect(await refusal(await sessions(header))).toEqual({
        code: 'missing_token',
        challenge: 'Bearer realm="tokensmith"',
      })
    }
  })

  it('answers a Bearer header that is not exactly one token68 with invalid_token', async () => {
    for (const header of ['Bearer', `Bearer ${accessToken} x`, `Bearer ${accessToken},x`, 'Bearer =abc']) {
      const { code, challenge } = await refusal(await sessions(header))
      expect(code).toBe('invalid_token')
      expect(challenge).toMatch(/^Bearer realm="tokensmith", error="invalid_token", error_description="/)
      expect(challenge).not.toContain(accessToken)
    }
  })
})
