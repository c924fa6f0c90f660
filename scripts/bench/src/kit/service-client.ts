import { addClient } from '@tokensmith/scripts/run-script'
import type { TokenRequest } from './issuer-loads.ts'
import { clientCredentialsRequest, OIDC_RESOURCE } from './oidc-provider-peer.ts'

export const SERVICE_CLIENT_ID = 'bench-service'

/**
 * Registers the bench's service with `pnpm clients add` (confidential, a generated secret, the
 * client_credentials grant, scope `api`, the peer's resource as its audience) and returns the
 * issuer's twin of the peer's token request: client_secret_basic, the same form body.
 */
export async function registerServiceClient(databaseUrl: string): Promise<TokenRequest> {
  const secret = await addClient({
    databaseUrl,
    id: SERVICE_CLIENT_ID,
    args: [
      '--type',
      'confidential',
      '--grant',
      'client_credentials',
      '--scope',
      'api',
      '--audience',
      OIDC_RESOURCE,
    ],
  })
  if (secret === null) throw new Error('pnpm clients add printed no secret')
  return clientCredentialsRequest('/oauth/token', SERVICE_CLIENT_ID, secret)
}
