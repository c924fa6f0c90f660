import { LOGIN_SESSIONS } from '../authorization/login-session-collection.ts'
import type { Logger } from '../logger.ts'
import { listAll } from '../records/list-all.ts'
import type { Store } from '../store.ts'

/**
 * After a change to how a user signs in (a factor added or removed, a reset): ends every other
 * login session of the user and revokes every other session (refresh-token family), through the
 * revocation feed, so verifiers refuse their tokens too. `keep` names the caller's own, if any.
 * Answers how many sessions were revoked.
 */
export async function endOtherSessions(
  deps: {
    store: Pick<Store, 'records' | 'endLoginSession' | 'listSessions' | 'revokeSession'>
    logger: Logger
  },
  userId: string,
  keep: { sessionId?: string | null; loginSessionId?: string | null },
  reason: string,
  now: number,
): Promise<number> {
  const { store } = deps
  const toRevoke = new Set<string>()
  const logins = await listAll(store.records, LOGIN_SESSIONS, { where: { field: 'userId', value: userId } })
  for (const login of logins) {
    if (login.id === keep.loginSessionId || login.endedAt !== null) continue
    for (const id of await store.endLoginSession(login.id, now)) toRevoke.add(id)
  }
  for (const s of await store.listSessions(userId, now)) toRevoke.add(s.id)
  if (keep.sessionId) toRevoke.delete(keep.sessionId)
  let revoked = 0
  for (const id of toRevoke) if (await store.revokeSession(id, reason, now)) revoked++
  deps.logger.info('other_sessions_ended', { userId, reason, sessions: revoked })
  return revoked
}
