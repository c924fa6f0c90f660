import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { firstPartyPublicClient } from '../../core/clients/client-record.ts'
import { PASSKEYS } from '../../core/passkeys/passkey-collection.ts'
import type { Issuer } from '../../runtime/start-issuer.ts'
import { launchChromium } from '../../testing/launch-chromium.ts'
import { type RelyingParty, startRelyingParty } from '../../testing/openid-relying-party.ts'
import { type ServedIssuer, serveTestIssuer } from '../../testing/serve-test-issuer.ts'
import { addVirtualAuthenticator, type VirtualAuthenticator } from '../../testing/virtual-authenticator.ts'

// Issue 21's passkey proof on the hosted pages: in Chromium with a CDP virtual authenticator
// (CTAP2, resident keys, user verification), a user adds a passkey on /account/security, then a
// relying party on openid-client signs them in with "Sign in with a passkey" alone, and the ID
// token says so: `acr` phishing-resistant, `amr` hwk user mfa (OpenID Connect Core §2, RFC 8176).
// WebAuthn needs a secure context and a domain RP ID: the issuer is http://localhost:<port>.
const PASSWORD = 'hosted-passkey-pass-123'

let served: ServedIssuer
let issuer: Issuer
let issuerUrl: string
let rp: RelyingParty
let browser: Browser
let context: BrowserContext
let page: Page
let authenticator: VirtualAuthenticator
/** The issuer's clock runs this far ahead of real time (a sign-in made to look old). */
const ahead = { ms: 0 }

beforeAll(async () => {
  served = await serveTestIssuer({ host: 'localhost', clock: () => Date.now() + ahead.ms })
  issuer = served.issuer
  issuerUrl = served.issuerUrl
  await served.addUser('alice', PASSWORD)
  rp = await startRelyingParty({ issuerUrl, clientId: 'notes' })
  await issuer.store.records.insert(CLIENTS, {
    ...firstPartyPublicClient('notes', Date.now()),
    name: 'Notes',
    grants: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'profile'],
    redirectUris: [rp.redirectUri],
    postLogoutRedirectUris: [rp.postLogoutRedirectUri],
  })
  browser = await launchChromium()
  context = await browser.newContext()
  context.setDefaultTimeout(10_000)
  page = await context.newPage()
  authenticator = await addVirtualAuthenticator(page)
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await rp?.close()
  await served?.close()
})

describe('passkeys on the hosted pages (WebAuthn Level 3, OpenID Connect Core §2 acr)', () => {
  it('a password sign-in says so: acr password, amr pwd', async () => {
    await page.goto(`${rp.origin}/login`)
    await page.getByLabel('Username').fill('alice')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(`${rp.origin}/callback**`)
    expect(rp.lastError()).toBeNull()
    expect(rp.lastLogin()?.idTokenClaims).toMatchObject({
      acr: 'urn:tokensmith:acr:password',
      amr: ['pwd'],
    })
  })

  it('adds a passkey on /account/security, behind the sign-in of the same browser', async () => {
    await page.goto(`${issuerUrl}/account/security`)
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign-in security')
    await page.getByLabel('Name for a new passkey').fill('Laptop')
    await page.getByRole('button', { name: 'Add a passkey' }).click()
    await expect.poll(() => page.locator('#security-notice').textContent()).toBe('The passkey was added.')
    expect(await page.locator('#passkeys li').count()).toBe(1)
    expect(await page.locator('#passkeys').textContent()).toContain('Laptop')
    const held = await authenticator.credentials()
    expect(held).toHaveLength(1)
    expect(held[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' })
    expect(await issuer.store.records.get(PASSKEYS, { id: held[0]?.credentialId ?? '' })).toMatchObject({
      name: 'Laptop',
    })
  })

  it('signs in with the passkey alone: the ID token says phishing-resistant (acr) and hwk user mfa (amr)', async () => {
    // Signed out at the issuer (RP-initiated logout), so the next sign-in shows the form again.
    await page.goto(`${rp.origin}/logout`)
    await page.waitForURL(`${rp.origin}/bye**`)
    await page.goto(`${rp.origin}/login`)
    const passkeyButton = page.getByRole('button', { name: 'Sign in with a passkey' })
    // Shown because this browser has a user-verifying authenticator.
    await passkeyButton.waitFor({ state: 'visible' })
    await passkeyButton.click()
    await page.waitForURL(`${rp.origin}/callback**`)
    expect(rp.lastError()).toBeNull()
    const claims = rp.lastLogin()?.idTokenClaims ?? {}
    expect(claims.acr).toBe('urn:tokensmith:acr:phishing-resistant')
    expect(claims.amr).toEqual(['hwk', 'user', 'mfa'])
    // The access token says it too (RFC 9068 §2.2.1).
    const access = JSON.parse(
      Buffer.from((rp.lastLogin()?.accessToken ?? '').split('.')[1] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>
    expect(access).toMatchObject({
      acr: 'urn:tokensmith:acr:phishing-resistant',
      amr: ['hwk', 'user', 'mfa'],
    })
    expect(typeof access.auth_time).toBe('number')
  })

  it('after a password, an account with a passkey is asked for it on the second page', async () => {
    await page.goto(`${rp.origin}/logout`)
    await page.waitForURL(`${rp.origin}/bye**`)
    await page.goto(`${rp.origin}/login`)
    await page.getByLabel('Username').fill('alice')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Confirm it is you to continue to Notes')
    await page.getByRole('button', { name: 'Use a passkey' }).click()
    await page.waitForURL(`${rp.origin}/callback**`)
    expect(rp.lastLogin()?.idTokenClaims).toMatchObject({
      acr: 'urn:tokensmith:acr:phishing-resistant',
      amr: ['pwd', 'hwk', 'user', 'mfa'],
    })
  })

  it('a change on /account/security after 5 minutes asks "Confirm it is you", and the passkey confirms it', async () => {
    ahead.ms = 6 * 60 * 1000
    await page.goto(`${issuerUrl}/account/security`)
    await page.getByLabel('New name').fill('Work laptop')
    await page.getByRole('button', { name: 'Rename' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Confirm it is you')
    await page.getByRole('button', { name: 'Use a passkey' }).click()
    await expect
      .poll(() => page.locator('#security-notice').textContent())
      .toBe('Confirmed. Make your change now.')
    await page.getByLabel('New name').fill('Work laptop')
    await page.getByRole('button', { name: 'Rename' }).click()
    await expect.poll(() => page.locator('#security-notice').textContent()).toBe('The passkey was renamed.')
    expect(await page.locator('#passkeys').textContent()).toContain('Work laptop')
  })
})
