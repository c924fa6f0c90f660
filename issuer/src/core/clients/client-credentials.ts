/** How a request says who the client is (RFC 6749 §2.3, RFC 7523 §2.2), as read at the HTTP edge. */
export type ClientCredentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; secret: string }
  /** `clientId` is the `client_id` parameter when one was sent; the assertion's `sub` decides otherwise. */
  | { method: 'private_key_jwt'; clientId: string | null; assertion: string }
  | { method: 'none'; clientId: string }

export type ClientAuthMethod = ClientCredentials['method']

export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
]

/**
 * RFC 7523 client assertions: asymmetric algorithms only, so a shared secret is never needed.
 * `Ed25519` is RFC 9864's fully-specified name for EdDSA over Ed25519, which openid-client and
 * oauth4webapi sign with; `EdDSA` is the older, polymorphic name.
 */
export const ASSERTION_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'Ed25519'] as const
