// Errors the password code raises on purpose. `code` is stable so callers (the login route, the
// users CLI) can map it without parsing messages. Messages never contain the password.

export type PasswordErrorCode = 'password_too_long' | 'password_empty'

export class PasswordError extends Error {
  readonly code: PasswordErrorCode
  constructor(code: PasswordErrorCode, message: string) {
    super(message)
    this.name = 'PasswordError'
    this.code = code
  }
}
