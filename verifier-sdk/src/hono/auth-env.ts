import type { AccessTokenClaims } from '../claims/access-token-claims.ts'

/** Hono Env of routes behind `honoAuth`: `c.var.auth` holds the verified claims. */
export type AuthEnv = {
  Variables: {
    auth: AccessTokenClaims
  }
}
