import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLIENTS } from '../core/clients/client-collection.ts'
import { firstPartyPublicClient } from '../core/clients/client-record.ts'
import type { Issuer } from '../runtime/start-issuer.ts'
import { launchChromium } from '../testing/launch-chromium.ts'
import { type RelyingParty, startRelyingParty } from '../testing/openid-relying-party.ts'
import { type ServedIssuer, serveTestIssuer } from '../testing/serve-test-issuer.ts'

// The authorization code flow (RFC 6749 §4.1 + RFC 7636) and OpenID Connect in a real Chromium,
// against relying parties built on openid-client: the issuer at one origin, each relying party
// at its own, a hostile page on another site.
const PASSWORD = 'oidc-browser-pass-123'
const BAD_CREDENTIALS = 'The username or password is incorrect.'

let served: ServedIssuer
let issuer: Issuer
let issuerUrl: string
let browser: Browser
/** A third-party client: asks for consent. */
let thirdParty: RelyingParty
/** A first-party client: no consent, and single sign-on after the first login. */
let firstParty: RelyingParty
let framer: Server
let framerOrigin: string
let userId: string

/** `SCREENSHOTS_DIR=docs/images npx vitest run <this file>` refreshes the pictures in docs/oidc.md. */
async function screenshot(page: Page, name: string): Promise<void> {
  const target = process.env.SCREENSHOTS_DIR
  if (target !== undefined) await page.screenshot({ path: join(target, name), fullPage: true })
}

/** A locator's text, trimmed of the markup's whitespace. */
async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim()
}

beforeAll(async () => {
  served = await serveTestIssuer({ host: '127.0.0.1' })
  issuer = served.issuer
  issuerUrl = served.issuerUrl
  userId = await served.addUser('alice', PASSWORD)

  thirdParty = await startRelyingParty({ issuerUrl, clientId: 'grafana' })
  firstParty = await startRelyingParty({ issuerUrl, clientId: 'portal' })
  for (const [rp, first] of [
    [thirdParty, false],
    [firstParty, true],
  ] as const) {
    const now = Date.now()
    await issuer.store.records.insert(CLIENTS, {
      ...firstPartyPublicClient(rp.clientId, now),
      name: rp.clientId === 'grafana' ? 'Grafana' : 'Portal',
      grants: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile'],
      firstParty: first,
      redirectUris: [rp.redirectUri],
      postLogoutRedirectUris: [rp.postLogoutRedirectUri],
    })
  }

  // A page on another site that tries to frame the login page.
  framer = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? ''
    res.setHeader('content-type', 'text/html')
    res.end(
      `<!doctype html><title>framer</title><iframe id="f" src="${target.replace(/"/g, '&quot;')}"></iframe>`,
    )
  })
  const framerPort = await new Promise<number>((resolve) =>
    framer.listen(0, '127.0.0.1', () => resolve((framer.address() as AddressInfo).port)),
  )
  // "localhost" is another site than "127.0.0.1".
  framerOrigin = `http://localhost:${framerPort}`

  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await thirdParty?.close()
  await firstParty?.close()
  await new Promise((r) => framer?.close(r))
  await served?.close()
})

/** Every response the page's main frame received, to tell a rendered issuer page from a redirect. */
function recordIssuerPages(page: Page): Response[] {
  const seen: Response[] = []
  page.on('response', (res) => {
    if (res.frame() === page.mainFrame() && res.url().startsWith(`${issuerUrl}/oauth/authorize`)) {
      seen.push(res)
    }
  })
  return seen
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForLoadState('load')
}

function authorizeUrl(params: Record<string, string>): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: thirdParty.clientId,
    redirect_uri: thirdParty.redirectUri,
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'st-1',
    ...params,
  })
  return `${issuerUrl}/oauth/authorize?${query}`
}

async function refreshAtTokenEndpoint(rp: RelyingParty, refreshToken: string) {
  const res = await fetch(`${issuerUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: rp.clientId,
    }),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('authorization code + PKCE with openid-client in Chromium (OIDC Core §3.1)', () => {
  let context: BrowserContext
  beforeAll(async () => {
    context = await browser.newContext()
  })
  afterAll(async () => {
    await context?.close()
  })

  it('logs in through the hosted page, with consent, and the relying party checks the ID token and calls userinfo', async () => {
    const page = await context.newPage()
    const first = await page.goto(`${thirdParty.origin}/login`)
    expect(page.url().startsWith(`${issuerUrl}/oauth/authorize`)).toBe(true)
    // The login page's headers: no inline script, no framing, no sniffing, no referrer.
    const headers = first?.headers() ?? {}
    const csp = headers['content-security-policy'] ?? ''
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("default-src 'none'")
    expect(csp).not.toContain('unsafe-inline')
    // Scripts only from the issuer itself (the passkey button's), never inline.
    expect(csp).toContain("script-src 'self';")
    expect(headers['x-content-type-options']).toBe('nosniff')
    expect(headers['referrer-policy']).toBe('no-referrer')
    // Each form (the password's, the passkey's) carries the anti-CSRF field.
    expect(await page.locator('form input[name="csrf"]').count()).toBe(await page.locator('form').count())
    await screenshot(page, 'oidc-login-page.png')

    // A wrong password and an unknown user show the same message, naming neither part.
    await signIn(page, 'alice', 'not-the-password')
    await expect.poll(() => text(page.getByRole('alert'))).toBe(BAD_CREDENTIALS)
    expect(page.url().startsWith(issuerUrl)).toBe(true)
    await screenshot(page, 'oidc-login-failed.png')
    await signIn(page, 'nobody-here', 'not-the-password')
    await expect.poll(() => text(page.getByRole('alert'))).toBe(BAD_CREDENTIALS)

    await signIn(page, 'alice', PASSWORD)
    // A third-party client: the consent page lists what it asks for.
    await expect.poll(() => text(page.getByRole('heading').first())).toContain('Grafana')
    const scopes = await page.locator('li').allTextContents()
    expect(scopes.join(' ')).toContain('openid')
    expect(scopes.join(' ')).toContain('profile')
    await screenshot(page, 'oidc-consent-page.png')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL(`${thirdParty.origin}/callback**`)
    expect(await text(page.locator('#user'))).toBe('alice')

    const login = thirdParty.lastLogin()
    expect(thirdParty.lastError()).toBeNull()
    expect(login?.sub).toBe(userId)
    expect(login?.idTokenClaims).toMatchObject({ iss: issuerUrl, aud: 'grafana', sub: userId })
    expect(typeof login?.idTokenClaims.sid).toBe('string')
    expect(typeof login?.idTokenClaims.auth_time).toBe('number')
    expect(typeof login?.idTokenClaims.at_hash).toBe('string')
    expect(login?.userinfo).toMatchObject({ sub: userId, preferred_username: 'alice' })
    expect(typeof login?.refreshToken).toBe('string')
    await page.close()
  })

  it('signs a second relying party in without the form (single sign-on), and remembers consent', async () => {
    const page = await context.newPage()
    const pages = recordIssuerPages(page)
    await page.goto(`${firstParty.origin}/login`)
    await page.waitForURL(`${firstParty.origin}/callback**`)
    expect(await text(page.locator('#user'))).toBe('alice')
    // Only redirects at the issuer: no login form, no consent page was rendered.
    expect(pages.length).toBeGreaterThan(0)
    expect(pages.every((res) => res.status() === 302 || res.status() === 303)).toBe(true)
    expect(firstParty.lastLogin()?.idTokenClaims.sid).toBe(thirdParty.lastLogin()?.idTokenClaims.sid)

    // The third-party client again: its consent is remembered, so no page either.
    const again = recordIssuerPages(page)
    await page.goto(`${thirdParty.origin}/login`)
    await page.waitForURL(`${thirdParty.origin}/callback**`)
    expect(again.every((res) => res.status() === 302 || res.status() === 303)).toBe(true)
    await page.close()
  })

  it('ends the login session and the sessions it started with RP-initiated logout', async () => {
    const refreshToken = thirdParty.lastLogin()?.refreshToken
    const firstPartyRefresh = firstParty.lastLogin()?.refreshToken
    if (refreshToken === undefined || firstPartyRefresh === undefined) throw new Error('not signed in')
    const page = await context.newPage()
    await page.goto(`${thirdParty.origin}/logout`)
    await page.waitForURL(`${thirdParty.origin}/bye**`)
    expect(await text(page.getByRole('heading'))).toBe('signed out')

    // Refresh tokens of sessions that the login session started no longer work.
    expect((await refreshAtTokenEndpoint(thirdParty, refreshToken)).body.error).toBe('invalid_grant')
    expect((await refreshAtTokenEndpoint(firstParty, firstPartyRefresh)).body.error).toBe('invalid_grant')

    // And the next login shows the form again.
    await page.goto(`${firstParty.origin}/login`)
    expect(page.url().startsWith(`${issuerUrl}/oauth/authorize`)).toBe(true)
    expect(await page.getByLabel('Password').count()).toBe(1)
    await page.close()
  })
})

describe('the hosted pages refuse what they must (RFC 6749 §4.1.2.1, RFC 9700 §4.1)', () => {
  it('shows an error page and stays at the issuer for an unregistered redirect_uri', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const res = await page.goto(authorizeUrl({ redirect_uri: 'http://127.0.0.1:9/steal' }))
    expect(res?.status()).toBe(400)
    expect(page.url().startsWith(`${issuerUrl}/oauth/authorize`)).toBe(true)
    expect(await text(page.getByRole('heading', { level: 1 }))).toBe('Sign-in request refused')
    expect((await text(page.getByRole('alert'))).length).toBeGreaterThan(0)
    await context.close()
  })

  it('runs no inline script on the login page', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const violations: string[] = []
    page.on('console', (msg) => {
      if (msg.type() === 'error') violations.push(msg.text())
    })
    await page.goto(authorizeUrl({}))
    expect(await page.getByLabel('Password').count()).toBe(1)
    // The one script is the issuer's own file (the passkey button), none inline.
    expect(await page.locator('script').count()).toBe(1)
    expect(await page.locator('script[src="/oauth/assets/passkey.js"]').count()).toBe(1)
    // An injected inline script (what an XSS would add) is blocked by the policy.
    const ran = await page.evaluate(() => {
      const w = globalThis as unknown as {
        document: { createElement(t: string): { textContent: string }; body: { append(n: unknown): void } }
        __inlineRan?: boolean
      }
      const script = w.document.createElement('script')
      script.textContent = 'globalThis.__inlineRan = true'
      w.document.body.append(script)
      return w.__inlineRan === true
    })
    expect(ran).toBe(false)
    await expect.poll(() => violations.some((v) => /Content Security Policy/i.test(v))).toBe(true)
    await context.close()
  })

  it('cannot be framed by a page on another origin', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const refusals: string[] = []
    page.on('console', (msg) => refusals.push(msg.text()))
    await page.goto(`${framerOrigin}/?src=${encodeURIComponent(authorizeUrl({}))}`)
    await expect.poll(() => refusals.some((t) => /frame-ancestors/.test(t))).toBe(true)
    const frame = page.frames().find((f) => f !== page.mainFrame())
    expect(frame).toBeDefined()
    expect(await frame?.locator('input[name="password"]').count()).toBe(0)
    await context.close()
  })
})
