import { OAuthError } from '../../errors.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import { grantScope } from '../clients/grant-scope.ts'

/** The scope a grant hands out for the `scope` parameter, or RFC 6749 §5.2 `invalid_scope`. */
export function requestedScope(client: ClientRecord, requested: string | undefined): string[] {
  const decision = grantScope(requested, client)
  if (!decision.ok) throw new OAuthError('invalid_scope', decision.reason)
  return decision.scope
}
