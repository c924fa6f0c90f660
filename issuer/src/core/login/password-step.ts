import { PASSWORD_AMR } from '../authorization/acr-values.ts'
import type { Credentials, Login } from './create-login.ts'
import type { LoginStep } from './login-step.ts'

/** The first step: username and password, under the login limiter and its dummy hash. */
export function createPasswordStep(login: Pick<Login, 'checkCredentials'>): LoginStep<Credentials> {
  return { id: 'password', amr: PASSWORD_AMR, check: (credentials) => login.checkCredentials(credentials) }
}

/** The password alone re-checking a signed-in user (id `password-recheck`): it settles the counters. */
export function createPasswordRecheckStep(login: Pick<Login, 'recheckPassword'>): LoginStep<Credentials> {
  return {
    id: 'password-recheck',
    amr: PASSWORD_AMR,
    check: (credentials) => login.recheckPassword(credentials),
  }
}
