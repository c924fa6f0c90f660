import { fileURLToPath } from 'node:url'
import { freePort, type SpawnedService, spawnService } from '@tokensmith/issuer/testing'
import type { TokenRequest } from './issuer-loads.ts'

export const OIDC_CLIENT_ID = 'bench-client'
export const OIDC_CLIENT_SECRET = 'bench-client-secret-not-for-production-0123456789'
export const OIDC_RESOURCE = 'urn:tokensmith:bench-api'

export interface OidcProviderPeer extends SpawnedService {
  url: string
  /** The token request: client_credentials, client_secret_basic, one resource, scope api. */
  tokenRequest: TokenRequest
}

/** node-oidc-provider 9 as a child process on 127.0.0.1 (see oidc-provider-server.ts). */
export async function startOidcProviderPeer(opts: { nodeFlags?: string[] } = {}): Promise<OidcProviderPeer> {
  const port = await freePort()
  const service = await spawnService({
    script: fileURLToPath(new URL('./oidc-provider-server.ts', import.meta.url)),
    env: { PORT: String(port), ISSUER_URL: `http://127.0.0.1:${port}` },
    keepOutput: false,
    ...(opts.nodeFlags ? { nodeFlags: opts.nodeFlags } : {}),
  })
  return {
    ...service,
    url: `http://127.0.0.1:${service.port}`,
    tokenRequest: clientCredentialsRequest('/token', OIDC_CLIENT_ID, OIDC_CLIENT_SECRET),
  }
}

/**
 * The bench's client_credentials request, the same for both contenders: client_secret_basic, one
 * resource indicator (RFC 8707), scope api.
 */
export function clientCredentialsRequest(path: string, clientId: string, secret: string): TokenRequest {
  const basic = Buffer.from(`${clientId}:${secret}`).toString('base64')
  return {
    path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      resource: OIDC_RESOURCE,
      scope: 'api',
    }).toString(),
  }
}
