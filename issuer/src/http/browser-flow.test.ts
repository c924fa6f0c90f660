import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPasswordHasher } from '../core/passwords/password-hasher.ts'
import { createUser } from '../core/users/create-user.ts'
import { loadConfig } from '../runtime/config.ts'
import { createLogger } from '../runtime/logger.ts'
import { type Issuer, startIssuer } from '../runtime/start-issuer.ts'
import { launchChromium } from '../testing/launch-chromium.ts'

// The browser flow in a real Chromium: the app page at one origin, the issuer at another
// (same site), the refresh token only ever in an httpOnly cookie.
let dir: string
let app: Server
let other: Server
let issuer: Issuer
let issuerServer: ReturnType<typeof serve>
let browser: Browser
let appOrigin: string
let otherOrigin: string
let issuerUrl: string

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  )
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-browser-'))
  const page = (_req: unknown, res: import('node:http').ServerResponse) => {
    res.setHeader('content-type', 'text/html')
    res.end('<!doctype html><title>app</title><p>app</p>')
  }
  app = createServer(page)
  other = createServer(page)
  appOrigin = `http://127.0.0.1:${await listen(app)}`
  // "localhost" is another site than "127.0.0.1": SameSite=Strict keeps the cookie from it.
  otherOrigin = `http://localhost:${await listen(other)}`

  const config = loadConfig({
    KEYS_DIR: join(dir, 'keys'),
    DATABASE_URL: `sqlite:${join(dir, 'issuer.db')}`,
    SCRYPT_LOG_N: '10',
    COOKIE_ORIGINS: `${appOrigin},${otherOrigin}`,
    LOG_LEVEL: 'silent',
  })
  issuer = await startIssuer(config, { logger: createLogger({ level: 'silent' }) })
  const hasher = createPasswordHasher({ cost: { logN: 10, r: 8, p: 1 } })
  await createUser(issuer.store.records, {
    id: randomUUID(),
    username: 'alice',
    passwordHash: await hasher.hash('browser-pass-123'),
    roles: ['user'],
    createdAt: Date.now(),
  })
  const port = await new Promise<number>((resolve) => {
    issuerServer = serve({ fetch: issuer.app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
      resolve(info.port),
    )
  })
  issuerUrl = `http://127.0.0.1:${port}`

  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await new Promise((r) => issuerServer?.close(r))
  await issuer?.close()
  await new Promise((r) => app?.close(r))
  await new Promise((r) => other?.close(r))
  await rm(dir, { recursive: true, force: true })
})

async function call(page: Page, path: string, init: { body?: unknown; csrf?: boolean } = {}) {
  return page.evaluate(
    async ({ url, body, csrf }) => {
      const headers: Record<string, string> = {}
      if (body !== undefined) headers['content-type'] = 'application/json'
      if (csrf) headers['x-requested-with'] = 'fetch'
      try {
        const res = await fetch(url, {
          method: 'POST',
          credentials: 'include',
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        return { status: res.status, body: (await res.json()) as Record<string, unknown> }
      } catch (err) {
        return { status: 0, body: { network: String(err) } }
      }
    },
    { url: `${issuerUrl}${path}`, body: init.body, csrf: init.csrf ?? true },
  )
}

describe('browser login and refresh with an httpOnly cookie (Chromium)', () => {
  it('keeps the refresh token out of script reach and refreshes through the cookie', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(appOrigin)

    const login = await call(page, '/auth/login', {
      body: { username: 'alice', password: 'browser-pass-123', useCookie: true },
    })
    expect(login.status).toBe(200)
    expect(Object.keys(login.body).sort()).toEqual(['accessToken', 'expiresIn', 'tokenType'])
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
    ).toBe('')

    const cookies = await context.cookies(`${issuerUrl}/auth/refresh`)
    const rt = cookies.find((c) => c.name === 'tokensmith_rt')
    expect(rt).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/auth' })

    const refreshed = await call(page, '/auth/refresh')
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.accessToken).not.toBe(login.body.accessToken)
    const rotated = (await context.cookies(`${issuerUrl}/auth/refresh`)).find(
      (c) => c.name === 'tokensmith_rt',
    )
    expect(rotated?.value).not.toBe(rt?.value)

    // Without the custom header (what a cross-site form could send) the cookie is refused.
    expect((await call(page, '/auth/refresh', { csrf: false })).body.code).toBe('forbidden_origin')

    const out = await call(page, '/auth/logout')
    expect(out.status).toBe(200)
    expect(
      (await context.cookies(`${issuerUrl}/auth/refresh`)).find((c) => c.name === 'tokensmith_rt'),
    ).toBeUndefined()
    await context.close()
  })

  it('does not send the cookie from another site', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(appOrigin)
    expect(
      (
        await call(page, '/auth/login', {
          body: { username: 'alice', password: 'browser-pass-123', useCookie: true },
        })
      ).status,
    ).toBe(200)

    const evil = await context.newPage()
    await evil.goto(otherOrigin)
    const attempt = await call(evil, '/auth/refresh')
    // SameSite=Strict: no cookie travels, so there is nothing to refresh with.
    expect(attempt.status).toBe(400)
    expect(attempt.body.code).toBe('invalid_request')
    // The session is untouched for the real app.
    expect((await call(page, '/auth/refresh')).status).toBe(200)
    await context.close()
  })
})
