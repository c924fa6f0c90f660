import type { SessionRecord } from './session-record.ts'

/** A session as its user sees it (GET /auth/sessions): instants as ISO strings, no token data. */
export interface SessionView {
  id: string
  clientId: string
  createdAt: string
  lastUsedAt: string
  expiresAt: string
  clientIp: string | null
  userAgent: string | null
}

export function toSessionView(s: SessionRecord): SessionView {
  return {
    id: s.id,
    clientId: s.clientId,
    createdAt: new Date(s.createdAt).toISOString(),
    lastUsedAt: new Date(s.lastUsedAt).toISOString(),
    expiresAt: new Date(s.absoluteExpiresAt).toISOString(),
    clientIp: s.clientIp,
    userAgent: s.userAgent,
  }
}
