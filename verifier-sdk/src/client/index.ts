export { InsufficientUserAuthenticationError, TokenClientError } from '../errors.ts'
export { createTokenClient } from './create-token-client.ts'
export { insufficientUserAuthenticationOf } from './insufficient-user-authentication-of.ts'
export type { ServiceTokenClient } from './service-token-client.ts'
export type {
  ClientAssertionAlgorithm,
  ClientSecretOptions,
  PrivateKeyJwtOptions,
  ServiceTokenClientOptions,
  TokenClientOptions,
} from './token-client-options.ts'
export type { AccountSession, TokenClient } from './user-token-client.ts'
