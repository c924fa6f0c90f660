// The bare-sign reference of `pnpm bench issuer`: a Hono app on @hono/node-server that reads a
// JSON body like a refresh request's and answers one RS256 access token signed with jose
// (CompactSign, WebCrypto key, RSA-2048), with the issuer's claims, and nothing else: no store,
// no rotation, no logs. The issuer's refresh is measured as a fraction of it. Prints one JSON
// line `{"event":"listening","port":N}` when ready. Started by the bench only.
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { CompactSign, importJWK, type JWK } from 'jose'

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? '0')
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const key = await importJWK(privateKey.export({ format: 'jwk' }) as JWK, 'RS256')
  const header = { alg: 'RS256', kid: 'bare-sign', typ: 'at+jwt' }
  const encoder = new TextEncoder()
  const app = new Hono()
  app.post('/sign', async (c) => {
    const body = (await c.req.json()) as { refreshToken?: unknown }
    if (typeof body.refreshToken !== 'string') return c.json({ code: 'invalid_request' }, 400)
    const iat = Math.floor(Date.now() / 1000)
    const claims = {
      iss: 'http://127.0.0.1',
      sub: randomUUID(),
      aud: 'api',
      iat,
      exp: iat + 900,
      jti: randomUUID(),
      client_id: 'default',
      sid: randomUUID(),
      roles: ['user'],
      scope: '',
    }
    const accessToken = await new CompactSign(encoder.encode(JSON.stringify(claims)))
      .setProtectedHeader(header)
      .sign(key)
    return c.json({ accessToken, expiresIn: 900, tokenType: 'Bearer' })
  })
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info: AddressInfo) => {
    process.stdout.write(`${JSON.stringify({ event: 'listening', port: info.port })}\n`)
  })
  const stop = () => server.close(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((err: unknown) => {
  process.stderr.write(`bare-sign server failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
