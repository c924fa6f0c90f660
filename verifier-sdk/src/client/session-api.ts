import type { TokenClientError } from '../errors.ts'
import type { TokenSet } from './token-set.ts'

/** A user's session at the issuer, through one of its two surfaces (the JSON API, or OAuth's). */
export interface SessionApi {
  /** Logs in; `scope` asks for these scopes. Throws TokenClientError on refusal. */
  login(username: string, password: string, scope: string | undefined): Promise<TokenSet>
  /** Rotates the refresh token. Throws TokenClientError on refusal. */
  refresh(refreshToken: string): Promise<TokenSet>
  /** Ends the session at the issuer; a token already dead counts as done. */
  revoke(refreshToken: string): Promise<void>
  /** Whether a refusal of `refresh` ends the session for good (rather than a passing failure). */
  endsSession(error: TokenClientError): boolean
}
