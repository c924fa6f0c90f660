export type {
  AccessTokenClaims,
  ServiceAccessTokenClaims,
  UserAccessTokenClaims,
} from '../claims/access-token-claims.ts'
export { isServiceToken } from '../claims/is-service-token.ts'
export { isUserToken } from '../claims/is-user-token.ts'
export type { AuthMiddlewareOptions } from '../middleware/auth-middleware-options.ts'
export type { AuthEnv } from './auth-env.ts'
export { honoAuth } from './hono-auth.ts'
export { requireRole } from './require-role.ts'
export { requireScope } from './require-scope.ts'
