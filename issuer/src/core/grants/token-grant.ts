// A grant of the token endpoint (RFC 6749 §4, §6) as a value: its `grant_type`, the request
// parameters it reads and what it does with them. `/oauth/token` looks a grant up in the list of
// create-token-grants.ts and the metadata documents list its types, so a new grant (device code,
// token exchange) is one file and one line there.
import type { ClientRecord, GrantType } from '../clients/client-record.ts'
import type { ClientMeta } from '../sessions/client-meta.ts'

/** A successful token answer (RFC 6749 §5.1) in the core's words; the token endpoint writes it. */
export interface GrantedTokens {
  accessToken: string
  expiresIn: number
  scope: readonly string[]
  /** Absent for a service token (RFC 6749 §4.4.3) and for a client that may not refresh (§4.1.4). */
  refreshToken?: string
  /** OpenID Connect Core §3.1.3.3: the code grant's, when the request had the `openid` scope. */
  idToken?: string
}

/** The request parameters a grant reads, besides `grant_type` and the client's authentication. */
export interface GrantParamNames<Required extends string, Optional extends string> {
  /** A request without one of these is refused (`invalid_request`) before the grant runs. */
  required: readonly Required[]
  optional: readonly Optional[]
}

/** Their values: every required one; an optional one only when sent (empty counts as absent). */
export type GrantParams<Required extends string = string, Optional extends string = string> = {
  readonly [K in Required]: string
} & { readonly [K in Optional]?: string }

export interface TokenGrant<Required extends string = string, Optional extends string = string> {
  /** The `grant_type`, and the grant a client must be registered for. */
  readonly type: GrantType
  readonly params: GrantParamNames<Required, Optional>
  /** The tokens for `client`, authenticated already; refusals are OAuthErrors (RFC 6749 §5.2). */
  handle(
    client: ClientRecord,
    params: GrantParams<Required, Optional>,
    meta: ClientMeta,
  ): Promise<GrantedTokens>
}
