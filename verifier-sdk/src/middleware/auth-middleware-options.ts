import type { Verifier } from '../create-verifier.ts'

/** Options of `honoAuth` and `expressAuth`. */
export interface AuthMiddlewareOptions {
  /** The `realm` of the WWW-Authenticate challenge ["api"]. */
  readonly realm?: string
}

/** Validates the arguments of an auth middleware factory once; returns the realm. */
export function checkAuthMiddlewareArguments(
  factory: string,
  verifier: Pick<Verifier, 'verify'>,
  options: AuthMiddlewareOptions | undefined,
): string {
  if (typeof verifier !== 'object' || verifier === null || typeof verifier.verify !== 'function') {
    throw new TypeError(`${factory}: "verifier" must be a verifier from createVerifier()`)
  }
  const realm = options?.realm ?? 'api'
  if (typeof realm !== 'string' || !/^[\x20-\x7e]{1,100}$/.test(realm) || /["\\]/.test(realm)) {
    throw new TypeError(`${factory}: option "realm" must be printable ASCII without quotes or backslashes`)
  }
  return realm
}
