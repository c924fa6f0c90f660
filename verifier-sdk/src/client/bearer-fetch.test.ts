// The services' half of RFC 9470 meets the clients' half: real Hono and Express resource servers
// behind requireAcr / requireAuthTime refuse with the section 3 challenge, and fetchWithBearer (under
// both token clients) throws InsufficientUserAuthenticationError instead of refreshing.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import express from 'express'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOKENSMITH_ACR } from '../claims/tokensmith-acr.ts'
import { InsufficientUserAuthenticationError } from '../errors.ts'
import * as forExpress from '../express/index.ts'
import * as forHono from '../hono/index.ts'
import { middlewareClock, middlewareKey, middlewareVerifier } from '../testing/middleware-cases.ts'
import { accessToken, T0 } from '../testing/test-key.ts'
import { type BearerSource, fetchWithBearer } from './bearer-fetch.ts'
import { insufficientUserAuthenticationOf } from './index.ts'

const STRONG = [TOKENSMITH_ACR.mfa, TOKENSMITH_ACR.phishingResistant]
const now = T0 / 1000
const passwordToken = accessToken(middlewareKey, {
  acr: TOKENSMITH_ACR.password,
  amr: ['pwd'],
  auth_time: now - 900,
})
const mfaToken = accessToken(middlewareKey, {
  acr: TOKENSMITH_ACR.mfa,
  amr: ['pwd', 'otp', 'mfa'],
  auth_time: now - 10,
})

function honoServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const { honoAuth, requireAcr, requireAuthTime } = forHono
  const app = new Hono<forHono.AuthEnv>()
  app.use('/api/*', honoAuth(middlewareVerifier))
  app.get('/api/transfer', requireAcr(STRONG), (c) => c.json({ acr: c.var.auth.acr }))
  app.get('/api/settings', requireAuthTime(300, { clock: middlewareClock }), (c) =>
    c.json({ at: c.var.auth.authTime }),
  )
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    )
  })
}

function expressServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const { expressAuth, requireAcr, requireAuthTime } = forExpress
  const app = express()
  app.use('/api', expressAuth(middlewareVerifier))
  app.get('/api/transfer', requireAcr(STRONG), (req, res) => {
    res.json({ acr: req.auth?.acr })
  })
  app.get('/api/settings', requireAuthTime(300, { clock: middlewareClock }), (req, res) => {
    res.json({ at: req.auth?.authTime })
  })
  const server = app.listen(0, '127.0.0.1')
  return new Promise((resolve) =>
    server.once('listening', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      }),
    ),
  )
}

/** A source holding `token`, counting renewals (which a step-up challenge must not cause). */
function sourceOf(token: string): BearerSource & { renewals: number } {
  return {
    renewals: 0,
    token: () => Promise.resolve(token),
    renew(failed) {
      this.renewals++
      return Promise.resolve(failed)
    },
  }
}

async function stepUpOf(promise: Promise<unknown>): Promise<InsufficientUserAuthenticationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(InsufficientUserAuthenticationError)
  return error as InsufficientUserAuthenticationError
}

describe.each([
  ['Hono', honoServer],
  ['Express', expressServer],
])('fetchWithBearer against a real %s resource server (RFC 9470 section 3)', (_name, start) => {
  let server: { url: string; close: () => Promise<void> }
  beforeAll(async () => {
    server = await start()
  })
  afterAll(() => server.close())

  const call = (source: BearerSource, path: string) =>
    fetchWithBearer(
      globalThis.fetch,
      source,
      ['token_expired', 'invalid_token'],
      `${server.url}${path}`,
      undefined,
    )

  it('throws the acr_values of a refused password-only token, without renewing it', async () => {
    const source = sourceOf(passwordToken)
    const error = await stepUpOf(call(source, '/api/transfer'))
    expect(error.acrValues).toEqual(['urn:tokensmith:acr:mfa', 'urn:tokensmith:acr:phishing-resistant'])
    expect(error.maxAge).toBeUndefined()
    expect(error.status).toBe(401)
    expect(source.renewals).toBe(0)
  })

  it('reads the same challenge from a plain fetch, for apps that bring their own tokens', async () => {
    const res = await fetch(`${server.url}/api/transfer`, {
      headers: { authorization: `Bearer ${passwordToken}` },
    })
    expect(insufficientUserAuthenticationOf(res)?.acrValues).toEqual([...STRONG])
    expect(await res.json()).toMatchObject({ code: 'insufficient_user_authentication' })
    const ok = await fetch(`${server.url}/api/transfer`, { headers: { authorization: `Bearer ${mfaToken}` } })
    expect(insufficientUserAuthenticationOf(ok)).toBeUndefined()
    await ok.body?.cancel()
  })

  it('throws the max_age of a refused authentication too old', async () => {
    const error = await stepUpOf(call(sourceOf(passwordToken), '/api/settings'))
    expect(error).toMatchObject({ code: 'insufficient_user_authentication', acrValues: [], maxAge: 300 })
  })

  it('passes the answer to a stronger, recent token as it is', async () => {
    const source = sourceOf(mfaToken)
    expect(await (await call(source, '/api/transfer')).json()).toEqual({ acr: 'urn:tokensmith:acr:mfa' })
    expect(await (await call(source, '/api/settings')).json()).toEqual({ at: now - 10 })
  })

  it('throws when the token got by a renewal is refused with the challenge', async () => {
    const source: BearerSource = {
      token: () => Promise.resolve(accessToken(middlewareKey, { exp: now - 60 })),
      renew: () => Promise.resolve(passwordToken),
    }
    expect((await stepUpOf(call(source, '/api/transfer'))).acrValues).toHaveLength(2)
  })
})
