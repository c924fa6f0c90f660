// Prepares what an issuer process reads at start: a signing key in `keysDir` and a migrated
// store holding the given users (cheap scrypt, so tests stay fast) and registered clients.
import { randomUUID } from 'node:crypto'
import { CLIENTS } from '../core/clients/client-collection.ts'
import type { ClientRecord } from '../core/clients/client-record.ts'
import { createPasswordHasher } from '../core/passwords/password-hasher.ts'
import { createUser } from '../core/users/create-user.ts'
import { generateKey } from '../keys/generate-key.ts'
import { openStore } from '../store/open-store.ts'

export interface SeedUser {
  username: string
  password: string
  roles?: string[]
}

export async function seedIssuerData(opts: {
  keysDir: string
  databaseUrl: string
  users: SeedUser[]
  clients?: ClientRecord[]
}): Promise<void> {
  await generateKey({ dir: opts.keysDir, now: Date.now() })
  const store = await openStore(opts.databaseUrl)
  try {
    await store.migrate()
    const hasher = createPasswordHasher({ cost: { logN: 10, r: 8, p: 1 } })
    for (const user of opts.users) {
      await createUser(store.records, {
        id: randomUUID(),
        username: user.username,
        passwordHash: await hasher.hash(user.password),
        roles: user.roles ?? [],
        createdAt: Date.now(),
      })
    }
    for (const client of opts.clients ?? []) await store.records.insert(CLIENTS, client)
  } finally {
    await store.close()
  }
}
