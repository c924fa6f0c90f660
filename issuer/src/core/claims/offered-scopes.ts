import { ROLES_SCOPE } from './roles-scope.ts'

/**
 * The scopes of OpenID Connect this issuer answers (Core §5.4, §11), and tokensmith's `roles`:
 * offered by the metadata whatever the registered clients ask for.
 */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access', ROLES_SCOPE] as const

/** Standard scopes that release nothing here (users have no address or phone claims): never offered. */
export const UNOFFERED_SCOPES: readonly string[] = ['address', 'phone']
