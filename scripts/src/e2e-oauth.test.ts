// The SDK's token client against the real issuer's standard surface, and the SDK's verifier in a
// downstream service: a user logging in through /oauth/token, a service getting its own token
// with client_credentials (secret and private_key_jwt), each checked by requireRole/requireScope.
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import {
  CLIENTS,
  firstPartyPublicClient,
  hashClientSecret,
  newClientSecret,
  openStore,
} from '@tokensmith/issuer/admin'
import { freePort, type SpawnedIssuer, seedIssuerData, spawnIssuer } from '@tokensmith/issuer/testing'
import { createVerifier, isServiceToken, type Verifier } from '@tokensmith/verifier-sdk'
import { createTokenClient } from '@tokensmith/verifier-sdk/client'
import { type AuthEnv, honoAuth, requireRole, requireScope } from '@tokensmith/verifier-sdk/hono'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let dir: string
let issuer: SpawnedIssuer
let verifier: Verifier
let server: ReturnType<typeof serve>
let apiUrl: string
let secret: string
const keyPair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-e2e-oauth-'))
  const databaseUrl = `sqlite:${join(dir, 'issuer.db')}`
  await seedIssuerData({
    keysDir: join(dir, 'keys'),
    databaseUrl,
    users: [{ username: 'carol', password: 'e2e-pass-1234', roles: ['orders:read'] }],
  })
  secret = newClientSecret()
  const store = await openStore(databaseUrl)
  await store.migrate()
  const base = {
    ...firstPartyPublicClient('base', Date.now()),
    type: 'confidential' as const,
    grants: ['client_credentials' as const],
    scopes: ['orders:read'],
    audiences: ['orders'],
    firstParty: false,
  }
  await store.records.insert(CLIENTS, {
    ...base,
    id: 'billing',
    name: 'billing',
    secretHash: hashClientSecret(secret),
  })
  const jwk = {
    ...(keyPair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: 'k1',
    alg: 'ES256',
    use: 'sig',
  }
  await store.records.insert(CLIENTS, { ...base, id: 'ledger', name: 'ledger', jwks: { keys: [jwk] } })
  await store.close()

  issuer = await spawnIssuer(
    { KEYS_DIR: join(dir, 'keys'), DATABASE_URL: databaseUrl, AUDIENCE: 'orders', SCRYPT_LOG_N: '10' },
    { port: await freePort() },
  )
  verifier = createVerifier({ issuer: issuer.url, audience: 'orders' })
  const api = new Hono<AuthEnv>()
  api.use('/api/*', honoAuth(verifier))
  api.get('/api/orders', requireRole('orders:read'), (c) => c.json({ sub: c.var.auth.sub }))
  api.get('/api/invoices', requireScope('orders:read'), (c) =>
    c.json({ sub: c.var.auth.sub, service: isServiceToken(c.var.auth) }),
  )
  apiUrl = await new Promise<string>((resolve) => {
    server = serve({ fetch: api.fetch, hostname: '127.0.0.1', port: 0 }, (i) =>
      resolve(`http://127.0.0.1:${i.port}`),
    )
  })
}, 60_000)

afterAll(async () => {
  verifier?.close()
  await new Promise((r) => server?.close(r))
  if (issuer?.proc.exitCode === null) await issuer.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('SDK clients against the standard surface of a real issuer', () => {
  it('a user logs in through /oauth/token, calls an API, and manages sessions with the account scope', async () => {
    const client = createTokenClient({ issuer: issuer.url, account: true })
    await client.login('carol', 'e2e-pass-1234')
    const res = await client.fetch(`${apiUrl}/api/orders`)
    expect(res.status).toBe(200)
    // A user's token has no scope here: requireScope refuses it, requireRole let it through.
    expect((await client.fetch(`${apiUrl}/api/invoices`)).status).toBe(403)
    const sessions = await client.listSessions()
    expect(sessions.length).toBe(2)
    await client.logout()
    expect(issuer.output.join('')).toContain('"event":"login"')
  })

  it('a service gets its own token with a secret (client_secret_basic) and with a key (private_key_jwt)', async () => {
    for (const credentials of [
      { clientId: 'billing', clientSecret: secret },
      { clientId: 'ledger', privateKey: keyPair.privateKey, keyId: 'k1', algorithm: 'ES256' as const },
    ]) {
      const service = createTokenClient({ issuer: issuer.url, scope: 'orders:read', ...credentials })
      const res = await service.fetch(`${apiUrl}/api/invoices`)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ sub: credentials.clientId, service: true })
      // requireRole applies to users' tokens only.
      expect((await service.fetch(`${apiUrl}/api/orders`)).status).toBe(403)
    }
  })
})
