import { randomUUID } from 'node:crypto'
import { createPasswordHasher, createUser, openStore } from '@tokensmith/issuer/admin'

/**
 * Creates `count` users (`<prefix>-00`, `<prefix>-01`, ...) sharing one password, straight in the
 * store. The login-load phase needs one account per connection: the issuer counts logins in
 * flight against a per-account limit, so 32 parallel logins as one user would mostly answer 429.
 * One scrypt hash (at the issuer's default cost) serves them all; a bench needs no distinct salts.
 */
export async function createLoginUsers(opts: {
  databaseUrl: string
  prefix: string
  count: number
  password: string
}): Promise<string[]> {
  const passwordHash = await createPasswordHasher().hash(opts.password)
  const store = await openStore(opts.databaseUrl)
  try {
    await store.migrate()
    const names: string[] = []
    for (let i = 0; i < opts.count; i++) {
      const username = `${opts.prefix}-${String(i).padStart(2, '0')}`
      await createUser(store.records, {
        id: randomUUID(),
        username,
        passwordHash,
        roles: ['user'],
        createdAt: Date.now(),
      })
      names.push(username)
    }
    return names
  } finally {
    await store.close()
  }
}
