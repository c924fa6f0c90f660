// The peer in `pnpm bench issuer`: node-oidc-provider 9 issuing RS256 JWT access tokens (RFC 9068
// profile) through the client_credentials grant, as a child process on 127.0.0.1 like the issuer.
// Prints one JSON line `{"event":"listening","port":N}` when ready. Started by the bench only.
import { generateKeyPairSync } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_RESOURCE } from './oidc-provider-peer.ts'

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? '0')
  const issuer = process.env.ISSUER_URL ?? `http://127.0.0.1:${port}`
  // The same key type and size as the issuer's default: RSA-2048, RS256.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'bench-rs256' }

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    ttl: { ClientCredentials: 900 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => OIDC_RESOURCE,
        useGrantedResource: () => true,
        // A JWT (not opaque) access token, signed RS256, 15 minutes like the issuer's default.
        getResourceServerInfo: () => ({
          scope: 'api',
          audience: OIDC_RESOURCE,
          accessTokenTTL: 900,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  })
  provider.on('server_error', (_ctx, err) => {
    process.stderr.write(`oidc-provider server_error: ${String((err as Error)?.stack ?? err)}\n`)
  })
  const server = createServer(provider.callback())
  server.keepAliveTimeout = 60_000
  server.listen(port, '127.0.0.1', () => {
    const info = server.address() as AddressInfo
    process.stdout.write(`${JSON.stringify({ event: 'listening', port: info.port })}\n`)
  })
  const stop = () => server.close(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((err: unknown) => {
  process.stderr.write(`oidc-provider peer failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
