// A child of `pnpm bench verify`: one Hono route on node-server, its auth either the SDK's honoAuth
// (`sdk`) or a bare jose jwtVerify (`bare`); same key and token (BENCH_VERIFY_FIXTURE), only the
// auth differs. Prints `{"event":"listening","port":N}` when ready. Started by the bench only.
import { serve } from '@hono/node-server'
import { createVerifier } from '@tokensmith/verifier-sdk'
import { type AuthEnv, honoAuth } from '@tokensmith/verifier-sdk/hono'
import { Hono } from 'hono'
import { importJWK, jwtVerify } from 'jose'
import { VERIFY_AUDIENCE, VERIFY_ISSUER, type VerifyFixture } from './verify-fixture.ts'

async function main(kind: string, fixture: VerifyFixture): Promise<void> {
  const app = new Hono<AuthEnv>()
  if (kind === 'sdk') {
    const verifier = createVerifier({
      issuer: VERIFY_ISSUER,
      audience: VERIFY_AUDIENCE,
      jwks: { keys: [fixture.jwk] },
    })
    app.use('/api/*', honoAuth(verifier))
    app.get('/api/me', (c) => c.json({ sub: c.var.auth.sub }))
  } else {
    const key = await importJWK(fixture.jwk, 'RS256')
    app.get('/api/me', async (c) => {
      const header = c.req.header('authorization')
      if (header === undefined || !header.startsWith('Bearer ')) return c.json({ code: 'missing_token' }, 401)
      try {
        const { payload } = await jwtVerify(header.slice(7), key, {
          issuer: VERIFY_ISSUER,
          audience: VERIFY_AUDIENCE,
          algorithms: ['RS256'],
          typ: 'at+jwt',
        })
        return c.json({ sub: payload.sub })
      } catch {
        return c.json({ code: 'invalid_token' }, 401)
      }
    })
  }
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
    process.stdout.write(`${JSON.stringify({ event: 'listening', port: info.port })}\n`)
  })
  process.on('SIGTERM', () => server.close(() => process.exit(0)))
}

main(process.argv[2] ?? '', JSON.parse(process.env.BENCH_VERIFY_FIXTURE ?? '{}') as VerifyFixture).catch(
  (err: unknown) => {
    process.stderr.write(`verify bench service failed: ${(err as Error).stack ?? String(err)}\n`)
    process.exit(1)
  },
)
