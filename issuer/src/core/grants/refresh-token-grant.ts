import type { Refresh } from '../rotation/create-refresh.ts'
import { requireGrant } from './require-grant.ts'
import type { TokenGrant } from './token-grant.ts'

/** RFC 6749 §6: the rotation of `/auth/refresh`, bound to the client the token was issued to. */
export function createRefreshTokenGrant(deps: { refresh: Refresh }): TokenGrant<'refresh_token', 'scope'> {
  return {
    type: 'refresh_token',
    params: { required: ['refresh_token'], optional: ['scope'] },
    async handle(client, params) {
      requireGrant(client, 'refresh_token')
      return deps.refresh.refresh(params.refresh_token, {
        client,
        ...(params.scope === undefined ? {} : { scope: params.scope }),
      })
    },
  }
}
