// Migration 1 (issue 20): from the previous release's layout, one per kind of record (its header
// in git: `user:<id>` + `username:<name>` + `users`, `client:<id>` + `clients`, `auth-code:<hash>`
// + `codes-by-expiry`, `login-session:<id>` + `login-secret:<hash>` + `login-sessions-by-deadline`,
// `consents:<userId>` hashes of client id -> {"scope", "grantedAt"}), to the records layout.
// Records whose keys stay gain what that release left out and their entries (unique, all, expiry);
// consents become a record each; the old side keys go. One pass over the prefix's keys; each step
// converges when run again.
import { AUTHORIZATION_CODES } from '../../core/authorization/authorization-code-collection.ts'
import { CONSENTS } from '../../core/authorization/consent-collection.ts'
import { LOGIN_SESSIONS } from '../../core/authorization/login-session-collection.ts'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import type { AnyCollection } from '../../core/records/collection.ts'
import { USERS } from '../../core/users/user-collection.ts'
import type { RedisMigration } from './redis-migration.ts'
import type { StoredFields } from './redis-records.ts'

type Hash = Record<string, string>

/** The `defaults` the hash lacks. */
const absent = (h: Hash, defaults: Hash): StoredFields =>
  Object.fromEntries(Object.entries(defaults).filter(([field]) => h[field] === undefined))

/** The records kept at the same keys, and what each needs added. */
const KEPT: readonly { c: AnyCollection; fill(h: Hash, key: string): StoredFields }[] = [
  // Users from before the profile fields (issue 19) have none: null, and the e-mail unverified.
  { c: USERS, fill: (h) => absent(h, { emailVerified: '0' }) },
  // Clients from before these fields: the PKCE rule every client had then, no URIs or origins.
  {
    c: CLIENTS,
    fill: (h) =>
      absent(h, {
        pkce: 'openid-optional',
        redirectUris: '[]',
        postLogoutRedirectUris: '[]',
        webOrigins: '[]',
      }),
  },
  // The key is now a field of the record too.
  { c: AUTHORIZATION_CODES, fill: (h, key) => absent(h, { hash: key }) },
  // An ended login session expires at its end, as endLoginSession now makes it.
  {
    c: LOGIN_SESSIONS,
    fill: (h): StoredFields =>
      h.endedAt !== undefined && Number(h.endedAt) < Number(h.idleExpiresAt)
        ? { idleExpiresAt: h.endedAt }
        : {},
  },
]

/** Side keys of the previous layout, now derived from the records. */
const DROPPED = /^(users|clients|codes-by-expiry|login-sessions-by-deadline|username:.*|login-secret:.*)$/

export const RECORDS_LAYOUT: RedisMigration = {
  version: 1,
  name: 'records layout (issue 20)',
  async apply({ redis, P, records, scan }) {
    const move = async (full: string): Promise<void> => {
      const name = full.slice(P.length)
      const kept = KEPT.find(({ c }) => name.startsWith(`${c.redisKey}:`))
      if (kept !== undefined) {
        const key = name.slice(kept.c.redisKey.length + 1)
        // 'update' rewrites the record with its entries; a record gone meanwhile stays gone.
        await records.write(kept.c, key, 'update', kept.fill(await redis.hgetall(full), key))
      } else if (name.startsWith('consents:')) {
        const userId = name.slice('consents:'.length)
        const granted = await redis.hgetall(full)
        for (const [clientId, json] of Object.entries(granted)) {
          const { scope, grantedAt } = JSON.parse(json) as { scope: string; grantedAt: number }
          const consent = { userId, clientId, scope, grantedAt: String(grantedAt) }
          await records.write(CONSENTS, `${userId}:${clientId}`, 'put', consent)
        }
        // Only once all its consents are records: a rerun finds the rest here.
        await redis.del(full)
      } else if (DROPPED.test(name)) {
        await redis.del(full)
      }
    }
    for await (const keys of scan('*')) await Promise.all(keys.map(move))
  },
}
