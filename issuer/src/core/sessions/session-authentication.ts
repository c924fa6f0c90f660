// What a session's access tokens say of its user's login (RFC 9068 §2.2.1: `acr`, `amr`,
// `auth_time`), from the session alone, so a refresh needs no read beyond its rotation.
import { authenticationOf } from '../authorization/acr-values.ts'
import type { SessionRecord } from './session-record.ts'

export interface SessionAuthentication {
  amr: readonly string[]
  acr: string
  /** When the user authenticated, in ms. */
  authTime: number
}

/**
 * The session's login context. A session stored before it was kept has no amr (a password login,
 * as authenticationOf reads it), no acr (the class that amr meets) and no auth time (its start).
 */
export function sessionAuthentication(session: SessionRecord): SessionAuthentication {
  const authTime = session.authTime ?? session.createdAt
  if (session.acr !== null && session.amr.length > 0) return { amr: session.amr, acr: session.acr, authTime }
  const derived = authenticationOf(session.amr)
  return { amr: derived.amr, acr: session.acr ?? derived.acr, authTime }
}
