import { IssuerError } from '../../errors.ts'
import { CLIENTS } from '../clients/client-collection.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import { grantScope } from '../clients/grant-scope.ts'
import type { Records } from '../records/records.ts'

/**
 * The client and scope of a JSON API login (`/auth/login`, `/auth/passkeys/login`): the client by
 * its id (default: the first of CLIENT_IDS), and only a public one with the password grant, since
 * the JSON API cannot authenticate a client; the scope as asked (RFC 6749 §3.3).
 */
export async function jsonLoginClient(
  records: Records,
  clientIds: readonly string[],
  request: { clientId?: string | undefined; scope?: string | undefined },
): Promise<{ client: ClientRecord; scope: string[] }> {
  const client = await records.get(CLIENTS, { id: request.clientId ?? clientIds[0] ?? 'default' })
  if (client === null || client.disabled || client.type !== 'public' || !client.grants.includes('password')) {
    throw new IssuerError('invalid_request', 'Unknown clientId.')
  }
  const scope = grantScope(request.scope, client)
  if (!scope.ok) throw new IssuerError('invalid_scope', scope.reason)
  return { client, scope: scope.scope }
}
