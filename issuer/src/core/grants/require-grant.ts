import { OAuthError } from '../../errors.ts'
import type { ClientRecord, GrantType } from '../clients/client-record.ts'

/** Every grant asks first whether the client was registered for it (RFC 6749 §5.2 `unauthorized_client`). */
export function requireGrant(client: ClientRecord, grant: GrantType): void {
  if (!client.grants.includes(grant)) {
    throw new OAuthError('unauthorized_client', `This client may not use the ${grant} grant.`)
  }
}
