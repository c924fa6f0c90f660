// The step-up round trip of RFC 9470 end to end, with parts nobody here wrote on both ends: a
// relying party on openid-client (code + PKCE, in Chromium), and a service behind the verifier
// SDK's `requireAcr`. The service refuses a password-only token with the RFC 9470 §3 challenge;
// the relying party asks again with those `acr_values` (§4, OpenID Connect Core §3.1.2.1); the
// hosted page asks only for the missing step, a code from the authenticator app; the new token
// says so and the service accepts it.
import { getRequestListener } from '@hono/node-server'
import { type RelyingParty, startRelyingParty, totpCodeAt } from '@tokensmith/issuer/testing'
import { createVerifier, TOKENSMITH_ACR } from '@tokensmith/verifier-sdk'
import { insufficientUserAuthenticationOf } from '@tokensmith/verifier-sdk/client'
import { type AuthEnv, honoAuth, requireAcr } from '@tokensmith/verifier-sdk/hono'
import { Hono } from 'hono'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADA } from './testing/ada.ts'
import { signInAtIssuer } from './testing/hosted-pages.ts'
import { type InteropRig, openRig } from './testing/interop-rig.ts'

const AUDIENCE = 'notes-api'

let rig: InteropRig
let rp: RelyingParty
let page: Page
/** Ada's authenticator app's secret, read from the set-up page. */
let secret = ''

/** The claims of a JWT's payload, read without checking (the service checks). */
const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>

beforeAll(async () => {
  rig = await openRig()
  rp = await startRelyingParty({ issuerUrl: rig.issuer.url, clientId: 'notes' })
  await rig.addClient(
    `notes --type public --name Notes --grant authorization_code --grant refresh_token
     --scope openid --scope profile --audience ${AUDIENCE} --redirect-uri ${rp.redirectUri}
     --post-logout-redirect-uri ${rp.postLogoutRedirectUri}`,
  )
  // The service: notes need more than a password (the README's step-up recipe).
  const verifier = createVerifier({ issuer: rig.issuer.url, audience: AUDIENCE })
  const api = new Hono<AuthEnv>()
  api.use('/api/*', honoAuth(verifier))
  api.get('/api/notes', requireAcr([TOKENSMITH_ACR.mfa, TOKENSMITH_ACR.phishingResistant]), (c) =>
    c.json({ notes: ['buy milk'], acr: c.var.auth.acr }),
  )
  await rig.start(getRequestListener(api.fetch))
  page = await rig.newPage()
}, 60_000)

afterAll(async () => {
  await rp?.close()
  if (rig !== undefined) expect(await rig.close()).toEqual([])
})

const notes = (token: string) =>
  fetch(`${rig.appOrigin}/api/notes`, { headers: { authorization: `Bearer ${token}` } })

describe('step-up (RFC 9470) from a service to the hosted pages and back', () => {
  let challenge: { acrValues: readonly string[] }

  it('a password sign-in: the service refuses its token with the insufficient_user_authentication challenge', async () => {
    await page.goto(`${rp.origin}/login`)
    await signInAtIssuer(page, rig.issuer.url, ADA, { consent: true })
    await page.waitForURL(`${rp.origin}/callback**`)
    const token = rp.lastLogin()?.accessToken ?? ''
    expect(claimsOf(token)).toMatchObject({ acr: TOKENSMITH_ACR.password, amr: ['pwd'] })
    const res = await notes(token)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_user_authentication"')
    const refused = insufficientUserAuthenticationOf(res)
    expect(refused?.acrValues).toEqual([TOKENSMITH_ACR.mfa, TOKENSMITH_ACR.phishingResistant])
    challenge = { acrValues: refused?.acrValues ?? [] }
  })

  it('Ada turns on an authenticator app on /account/security (signed in a moment ago in this browser)', async () => {
    await page.goto(`${rig.issuer.url}/account/security`)
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click()
    secret = (await page.locator('#totp-secret').textContent()) ?? ''
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/)
    await page.getByLabel('Code from your authenticator app').fill(await totpCodeAt(secret, Date.now()))
    await page.getByRole('button', { name: 'Turn on' }).click()
    expect(await page.locator('#recovery-codes li').count()).toBe(10)
  })

  it('the relying party asks again with the acr_values; the hosted page asks for the code only; the service accepts the new token', async () => {
    const acrValues = challenge.acrValues.join(' ')
    await page.goto(`${rp.origin}/login?${new URLSearchParams({ acr_values: acrValues })}`)
    // Still signed in at the issuer with a password: the second page, not the password form.
    await page.getByLabel('Code from your authenticator app').waitFor()
    expect(await page.locator('input[name="password"]').count()).toBe(0)
    // The next time step's code (one step of drift is allowed): the enrolment used this one.
    await page
      .getByLabel('Code from your authenticator app')
      .fill(await totpCodeAt(secret, Date.now() + 30_000))
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.waitForURL(`${rp.origin}/callback**`)
    expect(rp.lastError()).toBeNull()
    const login = rp.lastLogin()
    expect(login?.idTokenClaims).toMatchObject({ acr: TOKENSMITH_ACR.mfa, amr: ['pwd', 'otp', 'mfa'] })
    const token = login?.accessToken ?? ''
    expect(claimsOf(token)).toMatchObject({ acr: TOKENSMITH_ACR.mfa, amr: ['pwd', 'otp', 'mfa'] })
    const res = await notes(token)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ notes: ['buy milk'], acr: TOKENSMITH_ACR.mfa })
  })
})
