import { jsonLoginClient } from '../login/json-login-client.ts'
import type { LoginStep } from '../login/login-step.ts'
import { type StartLoginDeps, startLogin } from '../login/start-login.ts'
import type { Records } from '../records/records.ts'
import type { ClientMeta } from '../sessions/client-meta.ts'
import type { TokenPair } from '../tokens/token-pair.ts'
import type { PasskeyStepInput } from './create-passkey-step.ts'

export interface PasskeyLoginInput extends ClientMeta {
  challengeId: string
  response: PasskeyStepInput['response']
  clientId?: string | undefined
  scope?: string | undefined
}

export interface PasskeyLogin {
  /**
   * Passkey-only sign-in on the JSON API (`/auth/passkeys/login`): the same client rule and token
   * pair as a password login, with the passkey step as its only step (it is two factors itself).
   */
  login(input: PasskeyLoginInput): Promise<TokenPair>
}

export function createPasskeyLogin(
  deps: StartLoginDeps & {
    records: Records
    clientIds: readonly string[]
    step: LoginStep<PasskeyStepInput>
  },
): PasskeyLogin {
  return {
    async login(input) {
      // The client first: an unknown client costs no challenge and no limiter hit.
      const { client, scope } = await jsonLoginClient(deps.records, deps.clientIds, input)
      const user = await deps.step.check({
        challengeId: input.challengeId,
        response: input.response,
        clientIp: input.clientIp,
      })
      const meta = { clientIp: input.clientIp, userAgent: input.userAgent }
      return startLogin(deps, { user, client, scope, meta, amr: deps.step.amr })
    },
  }
}
