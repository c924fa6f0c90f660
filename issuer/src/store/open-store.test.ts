import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createUser } from '../core/users/create-user.ts'
import { findUserByUsername } from '../core/users/find-user-by-username.ts'
import { USERS } from '../core/users/user-collection.ts'
import { ConfigError } from '../errors.ts'
import { openStore } from './open-store.ts'

const PG = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

describe('openStore', () => {
  it('opens an in-memory SQLite store', async () => {
    const store = await openStore('sqlite::memory:')
    await store.migrate()
    await createUser(store.records, { id: 'u', username: 'mem', passwordHash: 'h', roles: [], createdAt: 1 })
    expect(await store.records.get(USERS, { id: 'u' })).not.toBeNull()
    await store.close()
  })

  it('opens a SQLite file, relative or in URL spelling, creating its directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tokensmith-open-'))
    try {
      for (const url of [`sqlite:${dir}/a/issuer.db`, `sqlite://${dir}/b/issuer.db`]) {
        const store = await openStore(url)
        await store.migrate()
        await store.close()
      }
      expect(existsSync(join(dir, 'a', 'issuer.db'))).toBe(true)
      expect(existsSync(join(dir, 'b', 'issuer.db'))).toBe(true)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('opens PostgreSQL with an optional schema parameter', async () => {
    const schema = `tokensmith_open_${process.pid}`
    const store = await openStore(`${PG}?schema=${schema}`)
    try {
      await store.migrate()
      await store.ping()
      await createUser(store.records, { id: 'u', username: 'pg', passwordHash: 'h', roles: [], createdAt: 1 })
      const other = await openStore(`${PG.replace(/^postgres:/, 'postgresql:')}?schema=${schema}`)
      expect(await findUserByUsername(other.records, 'pg')).toMatchObject({ id: 'u' })
      await other.close()
    } finally {
      const pg = await import('pg')
      const client = new pg.default.Client({ connectionString: PG })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await client.end()
      await store.close()
    }
  })

  it('opens Redis with an optional key prefix parameter', async () => {
    const prefix = `tokensmith-open-${process.pid}:`
    const store = await openStore(`${REDIS}?prefix=${encodeURIComponent(prefix)}`)
    try {
      await store.migrate()
      await createUser(store.records, { id: 'u', username: 'rd', passwordHash: 'h', roles: [], createdAt: 1 })
      const other = await openStore(`${REDIS}?prefix=${encodeURIComponent(prefix)}`)
      expect(await findUserByUsername(other.records, 'rd')).toMatchObject({ id: 'u' })
      await other.close()
      const elsewhere = await openStore(REDIS)
      expect(await elsewhere.records.get(USERS, { id: 'u' })).toBeNull()
      await elsewhere.close()
    } finally {
      const { Redis } = await import('ioredis')
      const admin = new Redis(REDIS)
      await admin.del(`${prefix}user:u`, `${prefix}username:rd`, `${prefix}users`)
      await admin.quit()
      await store.close()
    }
  })

  it('names DATABASE_URL when the scheme is unknown or the URL is incomplete', async () => {
    for (const url of ['mysql://localhost/db', './data/issuer.db', '', 'sqlite:']) {
      const err = await openStore(url).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ConfigError)
      expect(err).toMatchObject({ variable: 'DATABASE_URL' })
    }
  })

  it('does not echo a password from a malformed URL', async () => {
    const err = await openStore('postgres://user:s3cret@[bad/db').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect(String(err)).not.toContain('s3cret')
  })
})
