export type {
  AccessTokenClaims,
  ServiceAccessTokenClaims,
  UserAccessTokenClaims,
} from '../claims/access-token-claims.ts'
export { isServiceToken } from '../claims/is-service-token.ts'
export { isUserToken } from '../claims/is-user-token.ts'
export { TOKENSMITH_ACR } from '../claims/tokensmith-acr.ts'
export type { AuthMiddlewareOptions } from '../middleware/auth-middleware-options.ts'
export type { RequireAuthTimeOptions } from '../middleware/require-auth-time-options.ts'
export { expressAuth } from './express-auth.ts'
export { requireAcr } from './require-acr.ts'
export { requireAuthTime } from './require-auth-time.ts'
export { requireRole } from './require-role.ts'
export { requireScope } from './require-scope.ts'
