import type { LoginStep } from '../core/login/login-step.ts'
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
