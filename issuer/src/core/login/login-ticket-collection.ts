// A sign-in half done: the first step passed, the second not yet (`mfaToken` of the JSON API, the
// hosted pages' second page). `login_tickets` / `login-ticket:<hash>`; the ticket itself is only
// held by the client, the store keeps its SHA-256. It expires five minutes after the first step
// and finishes once (compare-and-set on `usedAt`).
import { defineCollection } from '../records/collection.ts'
import { f } from '../records/field-spec.ts'

export interface LoginTicketRecord {
  /** SHA-256 (hex) of the ticket. */
  hash: string
  userId: string
  /** The RFC 8176 `amr` of the steps passed so far. */
  amr: string[]
  /**
   * What finishes it: `second-step`, one of the user's second factors; `enrol`, setting up a first
   * one (the hosted pages, when the policy requires a factor the user lacks). A ticket finishes only
   * the way it was issued for. Null: a ticket stored before purposes, a second step.
   */
  purpose: 'second-step' | 'enrol' | null
  /** The JSON API's client and scope, to finish its login with; null and empty on the hosted pages. */
  clientId: string | null
  scope: string[]
  createdAt: number
  expiresAt: number
  usedAt: number | null
}

export const LOGIN_TICKETS = defineCollection<LoginTicketRecord>({
  name: 'login_tickets',
  redisKey: 'login-ticket',
  key: ['hash'],
  expiry: { field: 'expiresAt' },
  fields: {
    hash: f.text(),
    userId: f.text(),
    amr: f.words(),
    purpose: f.text({ nullable: true, oneOf: ['second-step', 'enrol'] }),
    clientId: f.text({ nullable: true }),
    scope: f.words(),
    createdAt: f.int(),
    expiresAt: f.int(),
    usedAt: f.int({ nullable: true }),
  },
})
