// The issuer's hosted pages as a person uses them in Chromium: the login form (`username`,
// `password`), then, for a third-party client, the consent page's Allow.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

/**
 * Runs `send` (what sends the browser to the issuer: a click, a navigation) and answers the
 * parameters of the authorization request the library built.
 */
export async function authorizationRequestOf(
  page: Page,
  issuerUrl: string,
  send: () => Promise<unknown>,
): Promise<URLSearchParams> {
  const authorize = page.waitForRequest((r) => r.url().startsWith(`${issuerUrl}/oauth/authorize?`))
  await send()
  return new URL((await authorize).url()).searchParams
}

/** Waits for the login page of the issuer at `issuerUrl`, signs in, and allows when asked. */
export async function signInAtIssuer(
  page: Page,
  issuerUrl: string,
  user: { username: string; password: string },
  opts: { consent: boolean },
): Promise<void> {
  await page.waitForURL((url) => url.origin === issuerUrl && url.pathname === '/oauth/authorize')
  await showsLoginForm(page)
  await page.locator('input[name="username"]').fill(user.username)
  await page.locator('input[name="password"]').fill(user.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  if (opts.consent) {
    const allow = page.locator('button[name="decision"][value="allow"]')
    await allow.waitFor()
    await allow.click()
  }
}

/** The page is the issuer's login form: a password field and the hidden anti-CSRF field. */
export async function showsLoginForm(page: Page): Promise<void> {
  await page.locator('input[name="password"]').waitFor()
  const form = page.locator('form').filter({ has: page.locator('input[name="password"]') })
  expect(await form.locator('input[type="hidden"][name="csrf"]').count()).toBe(1)
}

/** The JSON a relying party's page answered, as Chromium shows it. */
export async function pageJson(page: Page): Promise<Record<string, unknown>> {
  return JSON.parse((await page.locator('body').textContent()) ?? 'null') as Record<string, unknown>
}
