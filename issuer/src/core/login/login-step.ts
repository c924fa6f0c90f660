import type { UserRecord } from '../users/user-collection.ts'

/**
 * One way to prove who you are at sign-in (a password today; a one-time code, a recovery code, a
 * passkey, an upstream provider next): its id, the RFC 8176 `amr` values passing it asserts, and
 * its check of what the user sent, which answers the user or throws the refusal to show. A login
 * session records the `amr` of every step passed and when the last was, and tokens say so.
 */
export interface LoginStep<Input = unknown> {
  id: string
  amr: readonly string[]
  check(input: Input): Promise<UserRecord>
  /** The check counts its own attempts in the login limiter (a passkey): callers must not count them again. */
  limitsItself?: boolean
}
