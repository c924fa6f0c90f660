import { mkdtemp, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { requestJson, type SpawnedIssuer, seedIssuerData, spawnIssuer } from '@tokensmith/issuer/testing'
import { createVerifier, type Verifier } from '@tokensmith/verifier-sdk'
import { expressAuth, requireRole as expressRequireRole } from '@tokensmith/verifier-sdk/express'
import { type AuthEnv, honoAuth, requireRole } from '@tokensmith/verifier-sdk/hono'
import express from 'express'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let dir: string
let issuer: SpawnedIssuer
let verifiers: Verifier[] = []
let honoServer: ReturnType<typeof serve>
let expressServer: Server
let honoUrl: string
let expressUrl: string
const ISSUER_URL = 'http://issuer.e2e'

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-e2e-'))
  await seedIssuerData({
    keysDir: join(dir, 'keys'),
    databaseUrl: `sqlite:${join(dir, 'issuer.db')}`,
    users: [{ username: 'carol', password: 'e2e-pass-1234', roles: ['orders:read'] }],
  })
  issuer = await spawnIssuer({
    KEYS_DIR: join(dir, 'keys'),
    DATABASE_URL: `sqlite:${join(dir, 'issuer.db')}`,
    ISSUER_URL,
    AUDIENCE: 'orders',
    SCRYPT_LOG_N: '10',
  })
  // The services know the issuer by its public name; the JWKS comes from where it listens.
  const makeVerifier = () =>
    createVerifier({ issuer: ISSUER_URL, audience: 'orders', jwksUri: `${issuer.url}/.well-known/jwks.json` })
  const hv = makeVerifier()
  const ev = makeVerifier()
  verifiers = [hv, ev]

  const hono = new Hono<AuthEnv>()
  hono.use('/api/*', honoAuth(hv))
  hono.get('/api/orders', requireRole('orders:read'), (c) => c.json({ service: 'hono', sub: c.var.auth.sub }))
  hono.get('/api/admin', requireRole('admin'), (c) => c.json({ ok: true }))
  honoUrl = await new Promise<string>((resolve) => {
    honoServer = serve({ fetch: hono.fetch, hostname: '127.0.0.1', port: 0 }, (i) =>
      resolve(`http://127.0.0.1:${i.port}`),
    )
  })

  const app = express()
  app.use('/api', expressAuth(ev))
  app.get('/api/orders', expressRequireRole('orders:read'), (req, res) => {
    res.json({ service: 'express', sub: req.auth?.sub })
  })
  expressServer = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  expressUrl = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`
}, 60_000)

afterAll(async () => {
  for (const v of verifiers) v.close()
  await new Promise((r) => honoServer?.close(r))
  await new Promise((r) => expressServer?.close(r))
  if (issuer?.proc.exitCode === null) await issuer.stop()
  await rm(dir, { recursive: true, force: true })
})

const post = (path: string, body: unknown) => requestJson(`${issuer.url}${path}`, { body })
const call = (base: string, token: string, path = '/api/orders') =>
  requestJson(`${base}${path}`, { bearer: token })

describe('issuer + SDK services, end to end', () => {
  it('login, call, refresh, call; then the issuer goes away and both services keep verifying', async () => {
    const login = await post('/auth/login', { username: 'carol', password: 'e2e-pass-1234' })
    expect(login.status).toBe(200)
    const first = login.body.accessToken as string

    for (const base of [honoUrl, expressUrl]) {
      const res = await call(base, first)
      expect(res.status).toBe(200)
      expect(res.body.sub).toBeTruthy()
    }
    expect((await call(honoUrl, first, '/api/admin')).status).toBe(403)
    expect((await call(honoUrl, `${first}x`)).status).toBe(401)

    const refreshed = await post('/auth/refresh', { refreshToken: login.body.refreshToken })
    expect(refreshed.status).toBe(200)
    const second = refreshed.body.accessToken as string
    for (const base of [honoUrl, expressUrl]) expect((await call(base, second)).status).toBe(200)

    expect(await issuer.stop()).toBe(0)
    await expect(fetch(`${issuer.url}/healthz`)).rejects.toThrow()
    for (const base of [honoUrl, expressUrl]) {
      expect((await call(base, first)).body.service).toBeTruthy()
      expect((await call(base, second)).status).toBe(200)
      expect((await call(base, `${second.slice(0, -2)}AA`)).status).toBe(401)
    }
  })
})
