import { IssuerError, OAuthError } from '../../errors.ts'
import type { Login } from '../login/create-login.ts'
import { requestedScope } from './requested-scope.ts'
import { requireGrant } from './require-grant.ts'
import type { TokenGrant } from './token-grant.ts'

/** RFC 6749 §4.3, first-party clients only: the login of `/auth/login`. */
export function createPasswordGrant(deps: {
  login: Pick<Login, 'loginAs'>
}): TokenGrant<'username' | 'password', 'scope'> {
  return {
    type: 'password',
    params: { required: ['username', 'password'], optional: ['scope'] },
    async handle(client, params, meta) {
      requireGrant(client, 'password')
      // RFC 9700 §2.4: the password grant must not be used; kept for first-party apps only.
      if (!client.firstParty)
        throw new OAuthError('unauthorized_client', 'The password grant is for first-party clients only.')
      try {
        return await deps.login.loginAs(client, requestedScope(client, params.scope), {
          username: params.username,
          password: params.password,
          ...meta,
        })
      } catch (err) {
        // The grant has no way to ask for a second step, nor to enrol one.
        if (
          err instanceof IssuerError &&
          (err.code === 'mfa_required' || err.code === 'mfa_enrollment_required')
        ) {
          throw new OAuthError(
            'invalid_grant',
            'This account needs a second factor: sign in with the authorization code flow.',
          )
        }
        throw err
      }
    },
  }
}
