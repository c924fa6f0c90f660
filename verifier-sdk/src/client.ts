export { createTokenClient, type TokenClient, type TokenClientOptions } from './create-token-client.ts'
export { TokenClientError } from './errors.ts'
