import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PASSKEYS } from '../core/passkeys/passkey-collection.ts'
import type { Issuer } from '../runtime/start-issuer.ts'
import { launchChromium } from '../testing/launch-chromium.ts'
import { type ServedIssuer, serveTestIssuer } from '../testing/serve-test-issuer.ts'
import { addVirtualAuthenticator, type VirtualAuthenticator } from '../testing/virtual-authenticator.ts'
import { createCredentialInPage, getCredentialInPage } from '../testing/webauthn-in-page.ts'

// Passkeys in a real Chromium (issue 21's proof): a CDP virtual authenticator (CTAP2, resident
// keys, user verification) registers a passkey through /auth/mfa/passkeys, signs in with it alone
// through /auth/passkeys/login, and answers a second step's options. WebAuthn needs a secure
// context and a domain RP ID, so the issuer is served for real at http://localhost:<port>.
const PASSWORD = 'passkey-browser-pass-123'

let served: ServedIssuer
let issuer: Issuer
let issuerUrl: string
let browser: Browser
let page: Page
let authenticator: VirtualAuthenticator
let userId: string

const api = async (path: string, json?: unknown, token?: string) => {
  const res = await fetch(`${issuerUrl}${path}`, {
    method: 'POST',
    headers: {
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

beforeAll(async () => {
  served = await serveTestIssuer({ host: 'localhost' })
  issuer = served.issuer
  issuerUrl = served.issuerUrl
  userId = await served.addUser('alice', PASSWORD)
  browser = await launchChromium()
  page = await browser.newPage()
  // Any page of the issuer's origin: the ceremonies run in its context, as its hosted pages' do.
  await page.goto(`${issuerUrl}/healthz`)
  authenticator = await addVirtualAuthenticator(page)
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await served?.close()
})

describe('a passkey in Chromium with a virtual authenticator', () => {
  it('is registered with an account token from a recent sign-in', async () => {
    expect(
      await page.evaluate(() => (globalThis as unknown as { isSecureContext: boolean }).isSecureContext),
    ).toBe(true)
    const login = await api('/auth/login', { username: 'alice', password: PASSWORD, scope: 'account' })
    expect(login.status).toBe(200)
    // The sign-in's own token carries its auth_time: recent enough to add a passkey.
    const token = String(login.body.accessToken)
    const started = await api('/auth/mfa/passkeys/options', undefined, token)
    expect(started.status).toBe(200)
    const options = started.body.options as PublicKeyCredentialCreationOptionsJSON
    expect(options.rp.id).toBe('localhost')
    const response = await createCredentialInPage(page, options)
    const added = await api(
      '/auth/mfa/passkeys',
      { challengeId: started.body.challengeId, response, name: 'Chromium' },
      token,
    )
    expect(added.status).toBe(201)
    expect(added.body.passkey).toMatchObject({
      id: response.id,
      name: 'Chromium',
      lastUsedAt: null,
      backedUp: false,
    })

    const held = await authenticator.credentials()
    expect(held).toHaveLength(1)
    expect(held[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' })
    // The user handle is the user id, so a discoverable sign-in names its user.
    expect(Buffer.from(held[0]?.userHandle ?? '', 'base64').toString()).toBe(userId)
  })

  it('signs in alone (discoverable, user verified) and gets the token pair; counter and last use move', async () => {
    const before = await issuer.store.records.get(PASSKEYS, {
      id: (await authenticator.credentials())[0]?.credentialId ?? '',
    })
    for (let round = 0; round < 2; round++) {
      const started = await api('/auth/passkeys/login/options')
      expect(started.status).toBe(200)
      const options = started.body.options as PublicKeyCredentialRequestOptionsJSON
      expect(options.allowCredentials).toEqual([])
      const response = await getCredentialInPage(page, options)
      const signedIn = await api('/auth/passkeys/login', { challengeId: started.body.challengeId, response })
      expect(signedIn.status).toBe(200)
      expect(Object.keys(signedIn.body).sort()).toEqual([
        'accessToken',
        'expiresIn',
        'refreshToken',
        'tokenType',
      ])
      const claims = JSON.parse(
        Buffer.from(String(signedIn.body.accessToken).split('.')[1] ?? '', 'base64url').toString(),
      )
      expect(claims.sub).toBe(userId)
      // The same answer again is refused: its challenge is spent.
      const again = await api('/auth/passkeys/login', { challengeId: started.body.challengeId, response })
      expect(again.status).toBe(401)
    }
    const [held] = await authenticator.credentials()
    const stored = await issuer.store.records.get(PASSKEYS, { id: held?.credentialId ?? '' })
    expect(stored?.counter).toBe(held?.signCount)
    expect(stored?.counter).toBeGreaterThan(before?.counter ?? 0)
    expect(stored?.lastUsedAt).toBeGreaterThan(0)
  })

  it('answers a second step after a password (options for the mfaToken, then the passkey step)', async () => {
    // With a passkey, the password alone asks for the second step and gives its ticket.
    const first = await api('/auth/login', { username: 'alice', password: PASSWORD })
    expect(first.status).toBe(401)
    expect(first.body).toMatchObject({ code: 'mfa_required' })
    expect(first.body.factors).toContain('passkey')
    const mfaToken = String(first.body.mfaToken)
    const started = await api('/auth/login/mfa/passkey-options', { mfaToken })
    expect(started.status).toBe(200)
    const options = started.body.options as PublicKeyCredentialRequestOptionsJSON
    const [held] = await authenticator.credentials()
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([held?.credentialId])
    const response = await getCredentialInPage(page, options)
    // POST /auth/login/mfa finishes the login with the passkey, as the ticket's user.
    const done = await api('/auth/login/mfa', {
      mfaToken,
      challengeId: started.body.challengeId,
      passkey: response,
    })
    expect(done.status).toBe(200)
    const claims = JSON.parse(
      Buffer.from(String(done.body.accessToken).split('.')[1] ?? '', 'base64url').toString(),
    )
    expect(claims).toMatchObject({
      sub: userId,
      amr: ['pwd', 'hwk', 'user', 'mfa'],
      acr: 'urn:tokensmith:acr:phishing-resistant',
    })
    // The ticket is finished.
    const again = await api('/auth/login/mfa/passkey-options', { mfaToken })
    expect(again).toMatchObject({ status: 401, body: { code: 'invalid_mfa_token' } })
  })

  it("is not offered for an RP ID that is not this origin's domain", async () => {
    const started = await api('/auth/passkeys/login/options')
    const options = started.body.options as PublicKeyCredentialRequestOptionsJSON
    // The browser itself refuses an RP ID that is not this origin's domain (§5.1.4.1).
    await expect(getCredentialInPage(page, { ...options, rpId: 'example.com' })).rejects.toThrow(
      /SecurityError|relying party ID/i,
    )
  })
})
