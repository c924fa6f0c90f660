import { resolveTokenClientOptions } from './resolve-token-client-options.ts'
import { createServiceTokenClient, type ServiceTokenClient } from './service-token-client.ts'
import type { ServiceTokenClientOptions, TokenClientOptions } from './token-client-options.ts'
import { createUserTokenClient, type TokenClient } from './user-token-client.ts'

/**
 * A client of the issuer. With `clientSecret` or `privateKey`, a service's: tokens from the
 * client_credentials grant. Otherwise a user's: `login()`, then calls with the session's token.
 * The options are validated here, once (TypeError naming the option).
 */
export function createTokenClient(options: ServiceTokenClientOptions): ServiceTokenClient
export function createTokenClient(options: TokenClientOptions): TokenClient
export function createTokenClient(
  options: TokenClientOptions | ServiceTokenClientOptions,
): TokenClient | ServiceTokenClient {
  const resolved = resolveTokenClientOptions(options)
  return resolved.mode === 'user' ? createUserTokenClient(resolved) : createServiceTokenClient(resolved)
}
