// A downstream service on the SDK for the revocation-feed proofs: Hono or Express (FEED_FRAMEWORK),
// its verifier following the issuer's feed as FEED_* says. Besides the protected route it answers
// `/probe/refused?token=` (waits, in process, until the verifier refuses the token, and says when
// and with which code) and `/probe/stats` (the requests it sent to the issuer, entries held,
// staleness reports). Prints `{"event":"listening","port":N}` once its verifier is ready.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createVerifier, isVerifyError } from '@tokensmith/verifier-sdk'
import { expressAuth } from '@tokensmith/verifier-sdk/express'
import { type AuthEnv, honoAuth } from '@tokensmith/verifier-sdk/hono'
import express from 'express'
import { Hono } from 'hono'

const env = process.env
let issuerRequests = 0
const staleReports: boolean[] = []
const verifier = createVerifier({
  issuer: env.FEED_ISSUER ?? '',
  audience: env.FEED_AUDIENCE ?? 'api',
  fetch: (input, init) => {
    issuerRequests++
    return globalThis.fetch(input, init)
  },
  revocation: {
    stream: env.FEED_STREAM !== '0',
    pollIntervalMs: Number(env.FEED_POLL_MS ?? 1000),
    maxStaleSec: Number(env.FEED_MAX_STALE_SEC ?? 60),
    whenStale: env.FEED_WHEN_STALE === 'report' ? 'report' : 'fail-closed',
    onStale: (stale) => staleReports.push(stale),
  },
})

/** Verifies every few ms until the token is refused; answers the code and the instant. */
async function refusedAt(token: string, timeoutMs: number): Promise<{ code: string; at: number }> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await verifier.verify(token)
    } catch (error) {
      return { code: isVerifyError(error) ? error.code : 'error', at: Date.now() }
    }
    if (Date.now() > deadline) return { code: 'still_valid', at: Date.now() }
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

const stats = () => ({ issuerRequests, entries: verifier.revocationEntries(), staleReports })

async function main(): Promise<void> {
  await verifier.ready()
  const listening = (port: number) =>
    process.stdout.write(`${JSON.stringify({ event: 'listening', port })}\n`)
  if (env.FEED_FRAMEWORK === 'express') {
    const app = express()
    app.use('/api', expressAuth(verifier))
    app.get('/api/me', (req, res) => {
      res.json({ sub: req.auth?.sub })
    })
    app.get('/probe/refused', async (req, res) => {
      res.json(await refusedAt(String(req.query.token), Number(req.query.timeoutMs ?? 5000)))
    })
    app.get('/probe/stats', (_req, res) => {
      res.json(stats())
    })
    const server = app.listen(0, '127.0.0.1', () => listening((server.address() as AddressInfo).port))
    process.on('SIGTERM', () => server.close(() => process.exit(0)))
    return
  }
  const app = new Hono<AuthEnv>()
  app.use('/api/*', honoAuth(verifier))
  app.get('/api/me', (c) => c.json({ sub: c.var.auth.sub }))
  app.get('/probe/refused', async (c) =>
    c.json(await refusedAt(c.req.query('token') ?? '', Number(c.req.query('timeoutMs') ?? 5000))),
  )
  app.get('/probe/stats', (c) => c.json(stats()))
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => listening(info.port))
  process.on('SIGTERM', () => server.close(() => process.exit(0)))
}

main().catch((err: unknown) => {
  process.stderr.write(`feed verifier service failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
