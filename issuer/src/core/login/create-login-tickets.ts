// The `mfaToken` of the JSON API (and the hosted pages' second page): proof that the first step
// passed, for five minutes, finished once. The client holds the ticket; the store only its SHA-256.
import { createHash } from 'node:crypto'
import type { Clock } from '../clock.ts'
import type { Store } from '../store.ts'
import type { RandomBytes } from '../tokens/random-source.ts'
import { LOGIN_TICKETS, type LoginTicketRecord } from './login-ticket-collection.ts'

export const LOGIN_TICKET_TTL_SEC = 300

export interface LoginTickets {
  issue(input: {
    userId: string
    amr: readonly string[]
    purpose: 'second-step' | 'enrol'
    clientId: string | null
    scope: readonly string[]
  }): Promise<string>
  /** The live (unexpired, unused) ticket's record, or null. */
  open(ticket: string): Promise<LoginTicketRecord | null>
  /** Marks it used (compare-and-set); null when used already or expired. */
  finish(ticket: string): Promise<LoginTicketRecord | null>
}

const TICKET = /^[A-Za-z0-9_-]{43}$/
const hashOf = (ticket: string) => createHash('sha256').update(ticket).digest('hex')

export function createLoginTickets(deps: {
  store: Pick<Store, 'records'>
  clock: Clock
  random: RandomBytes
}): LoginTickets {
  const { store, clock } = deps
  const live = (r: LoginTicketRecord | null, now: number) =>
    r !== null && r.usedAt === null && r.expiresAt > now ? r : null
  return {
    async issue(input) {
      const now = clock()
      const ticket = deps.random(32).toString('base64url')
      await store.records.insert(LOGIN_TICKETS, {
        hash: hashOf(ticket),
        userId: input.userId,
        amr: [...input.amr],
        purpose: input.purpose,
        clientId: input.clientId,
        scope: [...input.scope],
        createdAt: now,
        expiresAt: now + LOGIN_TICKET_TTL_SEC * 1000,
        usedAt: null,
      })
      return ticket
    },
    async open(ticket) {
      // A malformed ticket costs no store read; the lookup is by hash, so timing reveals nothing.
      if (!TICKET.test(ticket)) return null
      return live(await store.records.get(LOGIN_TICKETS, { hash: hashOf(ticket) }), clock())
    },
    async finish(ticket) {
      if (!TICKET.test(ticket)) return null
      const now = clock()
      const used = await store.records.update(
        LOGIN_TICKETS,
        { hash: hashOf(ticket) },
        { usedAt: now },
        { usedAt: null },
      )
      return used !== null && used.expiresAt > now ? used : null
    },
  }
}
