import { PASSWORD_AMR } from '../authorization/acr-values.ts'
import type { Credentials, Login } from './create-login.ts'
import type { LoginStep } from './login-step.ts'

/** The first step: username and password, under the login limiter and its dummy hash. */
export function createPasswordStep(login: Pick<Login, 'checkCredentials'>): LoginStep<Credentials> {
  return { id: 'password', amr: PASSWORD_AMR, check: (credentials) => login.checkCredentials(credentials) }
}
