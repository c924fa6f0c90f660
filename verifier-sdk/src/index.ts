export type {
  AccessTokenClaims,
  ServiceAccessTokenClaims,
  UserAccessTokenClaims,
} from './claims/access-token-claims.ts'
export { isServiceToken } from './claims/is-service-token.ts'
export { isUserToken } from './claims/is-user-token.ts'
export { TOKENSMITH_ACR } from './claims/tokensmith-acr.ts'
export { createVerifier, type Verifier } from './create-verifier.ts'
export {
  InsufficientUserAuthenticationError,
  isVerifyError,
  TokenClientError,
  TokensmithSdkError,
  VerifyError,
  type VerifyErrorCode,
} from './errors.ts'
export { JWS_ALGORITHMS, type JwsAlgorithm } from './jws/jws-algorithm.ts'
export type { JwksDocument, VerifierOptions } from './verifier-options.ts'
