export { TokenClientError } from '../errors.ts'
export { createTokenClient, type TokenClient, type TokenClientOptions } from './create-token-client.ts'
