import { createHash } from 'node:crypto'
import { LOGIN_TICKETS, type LoginTicketRecord } from '../login/login-ticket-collection.ts'
import type { Records } from '../records/records.ts'

/**
 * The live (unexpired, unused) login ticket `ticket` names (by its SHA-256), or null: only to read
 * whose second step a passkey's options are for. Finishing the ticket is the MFA login's
 * (LoginTickets.finish), not this lookup's.
 */
export async function findLiveLoginTicket(
  records: Records,
  ticket: string,
  now: number,
): Promise<LoginTicketRecord | null> {
  const hash = createHash('sha256').update(ticket, 'utf8').digest('hex')
  const found = await records.get(LOGIN_TICKETS, { hash })
  return found !== null && found.usedAt === null && found.expiresAt > now ? found : null
}
