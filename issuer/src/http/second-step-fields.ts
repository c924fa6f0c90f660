import type { LoginStep } from '../core/login/login-step.ts'
import type { PasskeyStepInput } from '../core/passkeys/create-passkey-step.ts'
import { IssuerError } from '../errors.ts'
import { stringField } from './read-json-body.ts'

/**
 * One way to finish a login at `POST /auth/login/mfa`, chosen by the body field it needs
 * (`otp`, `recoveryCode`, later `passkey`): its step, and the step's input read from the body.
 */
export interface SecondStepField<I = unknown> {
  step: LoginStep<I>
  /** The step's input; throws `invalid_request` when the body is malformed. */
  read(body: Record<string, unknown>, userId: string): I
}

/** The second steps `/auth/login/mfa` offers, by the body field that selects each. */
// biome-ignore lint/suspicious/noExplicitAny: each field's step has its own input type.
export type SecondStepFields = Readonly<Record<string, SecondStepField<any>>>

/** A step whose input is a typed code in the body field `field` (`otp`, `recoveryCode`). */
export function codeField(
  step: LoginStep<{ userId: string; code: string }>,
  field: string,
): SecondStepField<{ userId: string; code: string }> {
  return { step, read: (body, userId) => ({ userId, code: stringField(body, field, 64) }) }
}

/**
 * The passkey as a second step: `{mfaToken, challengeId, passkey}`, `passkey` the browser's
 * `PublicKeyCredential.toJSON()` of the options `/auth/login/mfa/passkey-options` gave.
 */
export function passkeyField(step: LoginStep<PasskeyStepInput>): SecondStepField<PasskeyStepInput> {
  return {
    step,
    read(body, userId) {
      const response = body.passkey
      if (typeof response !== 'object' || response === null || Array.isArray(response)) {
        throw new IssuerError('invalid_request', 'passkey must be the JSON of the passkey credential.')
      }
      return {
        userId,
        challengeId: stringField(body, 'challengeId', 128),
        response: response as PasskeyStepInput['response'],
      }
    },
  }
}
