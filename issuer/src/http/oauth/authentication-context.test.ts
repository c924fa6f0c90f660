// How the user signed in, in every access token of a user's session (RFC 9068 §2.2.1: `acr`,
// `amr`, `auth_time`, as OpenID Connect Core §2 defines them): from the login, the password grant
// and the code exchange, the same on every refresh (the rotation's own answer carries them); none
// in a service's token, where no user signed in.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { decodeJwt } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MFA_ACR, PASSWORD_ACR } from '../../core/authorization/acr-values.ts'
import { hashAuthorizationCode } from '../../core/authorization/authorization-code.ts'
import { AUTHORIZATION_CODES } from '../../core/authorization/authorization-code-collection.ts'
import { createAccessTokenVerifier } from '../../core/tokens/access-token-verifier.ts'
import { basicAuth, OAUTH_USER } from '../../testing/oauth-test-issuer.ts'
import { createOidcTestIssuer, type OidcTestIssuer, SPA_REDIRECT } from '../../testing/oidc-test-issuer.ts'
import { TEST_ISSUER_URL } from '../../testing/test-issuer.ts'

let t: OidcTestIssuer
beforeEach(async () => {
  t = await createOidcTestIssuer()
})
afterEach(() => t.cleanup())

const MINUTE = 60_000
/** The context of a password login at `at` (ms), as the tokens say it: auth_time in seconds. */
const passwordLoginAt = (at: number) => ({
  acr: PASSWORD_ACR,
  amr: ['pwd'],
  auth_time: Math.floor(at / 1000),
})
const contextOf = (token: string) => {
  const { acr, amr, auth_time } = decodeJwt(token)
  return { acr, amr, auth_time }
}

/** Refreshes `refreshToken` `times` times, a minute apart, through the token endpoint; the access tokens. */
async function refreshedTokens(refreshToken: string, clientId: string, times = 3): Promise<string[]> {
  const tokens: string[] = []
  let token = refreshToken
  for (let i = 0; i < times; i++) {
    t.advance(MINUTE)
    const res = await t.form('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: token,
      client_id: clientId,
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { access_token: string; refresh_token: string }
    tokens.push(body.access_token)
    token = body.refresh_token
  }
  return tokens
}

describe('the login context in access tokens (RFC 9068 §2.2.1)', () => {
  it('/auth/login: a password login at its time, unchanged by every /auth/refresh', async () => {
    const loginAt = t.now.ms
    const res = await t.request('/auth/login', { method: 'POST', json: OAUTH_USER })
    expect(res.status).toBe(200)
    let pair = (await res.json()) as { accessToken: string; refreshToken: string }
    expect(contextOf(pair.accessToken)).toEqual(passwordLoginAt(loginAt))
    for (let i = 0; i < 3; i++) {
      t.advance(MINUTE)
      const next = await t.request('/auth/refresh', {
        method: 'POST',
        json: { refreshToken: pair.refreshToken },
      })
      expect(next.status).toBe(200)
      pair = (await next.json()) as typeof pair
      // A refresh is not a login: auth_time stays the login's while iat moves on.
      expect(contextOf(pair.accessToken)).toEqual(passwordLoginAt(loginAt))
      expect(decodeJwt(pair.accessToken).iat).toBe(Math.floor(t.now.ms / 1000))
    }
  })

  it('the password grant (RFC 6749 §4.3): the same, through every refresh_token grant', async () => {
    const loginAt = t.now.ms
    const { accessToken, refreshToken } = await t.userTokens()
    expect(contextOf(accessToken)).toEqual(passwordLoginAt(loginAt))
    for (const token of await refreshedTokens(refreshToken, 'default')) {
      expect(contextOf(token)).toEqual(passwordLoginAt(loginAt))
    }
  })

  it('the code exchange: what the ID token says (OpenID Connect Core §2), kept through every refresh', async () => {
    const loginAt = t.now.ms
    const tokens = await t.tokensFor(t.browser(), { clientId: 'spa', redirectUri: SPA_REDIRECT })
    const id = decodeJwt(tokens.id_token)
    expect({ acr: id.acr, amr: id.amr, auth_time: id.auth_time }).toEqual(passwordLoginAt(loginAt))
    expect(contextOf(tokens.access_token)).toEqual(passwordLoginAt(loginAt))
    for (const token of await refreshedTokens(tokens.refresh_token, 'spa')) {
      expect(contextOf(token)).toEqual(passwordLoginAt(loginAt))
    }
  })

  it("the code exchange: the login's amr, the class of it the request asked for, and when it was", async () => {
    const loginAt = t.now.ms
    const b = t.browser()
    // Two codes of one login, as the step-up of the authorize side will issue them: its amr after
    // a second step, and the classes each request asked for (none; only the password class).
    const redeem = async (acrValues: string[]) => {
      const { code, verifier } = await t.codeFor(b, { clientId: 'spa', redirectUri: SPA_REDIRECT })
      const hash = hashAuthorizationCode(code)
      await t.store.records.update(AUTHORIZATION_CODES, { hash }, { amr: ['pwd', 'otp', 'mfa'], acrValues })
      t.advance(30_000)
      const res = await t.form('/oauth/token', {
        grant_type: 'authorization_code',
        client_id: 'spa',
        code,
        code_verifier: verifier,
        redirect_uri: SPA_REDIRECT,
      })
      expect(res.status).toBe(200)
      return (await res.json()) as { access_token: string; id_token: string; refresh_token: string }
    }
    const mfa = { acr: MFA_ACR, amr: ['pwd', 'otp', 'mfa'], auth_time: Math.floor(loginAt / 1000) }
    const strongest = await redeem([])
    expect(contextOf(strongest.id_token)).toEqual(mfa)
    expect(contextOf(strongest.access_token)).toEqual(mfa)
    // OpenID Connect Core §3.1.2.1: the acr asserted is one of those asked for that the login met.
    const asked = await redeem([PASSWORD_ACR])
    expect(contextOf(asked.id_token)).toEqual({ ...mfa, acr: PASSWORD_ACR })
    expect(contextOf(asked.access_token)).toEqual({ ...mfa, acr: PASSWORD_ACR })
    for (const token of await refreshedTokens(strongest.refresh_token, 'spa', 1)) {
      expect(contextOf(token)).toEqual(mfa)
    }
  })

  it('a session stored before its login context was kept refreshes as a password login at its start', async () => {
    const startedAt = t.now.ms
    const { refreshToken } = await t.userTokens()
    // As the migration leaves a session of the previous release: no amr, acr or auth time.
    const db = new Database(join(t.dir, 'issuer.db'))
    try {
      expect(db.prepare("UPDATE sessions SET amr = '', acr = NULL, auth_time = NULL").run().changes).toBe(1)
    } finally {
      db.close()
    }
    const [token] = await refreshedTokens(refreshToken, 'default', 1)
    expect(contextOf(token!)).toEqual(passwordLoginAt(startedAt))
  })

  it('a service token (client_credentials, RFC 6749 §4.4) carries none: no user signed in', async () => {
    const res = await t.form(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basicAuth('svc', t.svcSecret) },
    )
    expect(res.status).toBe(200)
    const claims = decodeJwt(((await res.json()) as { access_token: string }).access_token)
    for (const claim of ['acr', 'amr', 'auth_time']) expect(claims).not.toHaveProperty(claim)
  })

  it("the issuer's own verifier answers them, typed", async () => {
    const loginAt = t.now.ms
    const { accessToken } = await t.userTokens()
    const verifier = createAccessTokenVerifier({
      keyRing: t.keyRing,
      issuer: TEST_ISSUER_URL,
      clockSkewSec: 0,
      clock: () => t.now.ms,
    })
    expect(await verifier.verify(accessToken)).toMatchObject(passwordLoginAt(loginAt))
  })
})
