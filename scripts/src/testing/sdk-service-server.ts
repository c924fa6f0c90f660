// A service protected by the verifier SDK in its own process, as a downstream team runs it:
// SDK_SERVICE_KIND `hono` (honoAuth) or `express` (expressAuth), following the issuer named by
// SDK_SERVICE_ISSUER, its JWKS at SDK_SERVICE_JWKS_URI, audience SDK_SERVICE_AUDIENCE. GET /api/me
// answers the token's `sub`. Prints `{"event":"listening","port":N}` when ready (spawnService).
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createVerifier } from '@tokensmith/verifier-sdk'
import { expressAuth } from '@tokensmith/verifier-sdk/express'
import { type AuthEnv, honoAuth } from '@tokensmith/verifier-sdk/hono'
import express from 'express'
import { Hono } from 'hono'

function required(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`${name} is required`)
  return value
}

const listening = (port: number) => process.stdout.write(`${JSON.stringify({ event: 'listening', port })}\n`)

function main(): void {
  const verifier = createVerifier({
    issuer: required('SDK_SERVICE_ISSUER'),
    audience: required('SDK_SERVICE_AUDIENCE'),
    jwksUri: required('SDK_SERVICE_JWKS_URI'),
  })
  const kind = required('SDK_SERVICE_KIND')
  let close: (done: () => void) => void
  if (kind === 'hono') {
    const app = new Hono<AuthEnv>()
    app.use('/api/*', honoAuth(verifier))
    app.get('/api/me', (c) => c.json({ sub: c.var.auth.sub }))
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => listening(info.port))
    close = (done) => server.close(done)
  } else if (kind === 'express') {
    const app = express()
    app.use('/api', expressAuth(verifier))
    app.get('/api/me', (req, res) => {
      res.json({ sub: req.auth?.sub })
    })
    const server = app.listen(0, '127.0.0.1', () => listening((server.address() as AddressInfo).port))
    close = (done) => server.close(done)
  } else {
    throw new Error(`SDK_SERVICE_KIND must be hono or express (got ${kind})`)
  }
  process.on('SIGTERM', () =>
    close(() => {
      verifier.close()
      process.exit(0)
    }),
  )
}

try {
  main()
} catch (err) {
  process.stderr.write(`sdk service failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
}
