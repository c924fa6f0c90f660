import type { AccessTokenShape } from '../tokens/token-pair.ts'
import type { ClientRecord } from './client-record.ts'
import { ACCOUNT_SCOPE } from './grant-scope.ts'

/**
 * A user's access token for `client` with `scope`: audienced to the issuer alone when it carries
 * the account scope (only the issuer's account endpoints accept it), else to the client's own
 * audiences (empty: the issuer's AUDIENCE), living the client's lifetime when it has a shorter one.
 */
export function accessTokenShapeOf(
  client: Pick<ClientRecord, 'audiences' | 'accessTokenTtlSec'>,
  scope: readonly string[],
  issuerUrl: string,
): AccessTokenShape {
  const audience = scope.includes(ACCOUNT_SCOPE) ? [issuerUrl] : client.audiences
  return {
    scope,
    audience,
    ...(client.accessTokenTtlSec === null ? {} : { ttlSec: client.accessTokenTtlSec }),
  }
}
