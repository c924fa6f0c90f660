import { describe, expect, it } from 'vitest'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { StoreConflictError } from '../../core/store-error.ts'
import { USERS } from '../../core/users/user-collection.ts'
import { driverError, expectUnavailable } from '../../testing/store-unavailable-cases.ts'
import { createPostgresStore } from './postgres-store.ts'
import { postgresUnavailable } from './postgres-unavailable.ts'

const unavailable = (translated: unknown, cause: unknown, reason: string) =>
  expectUnavailable(translated, cause, `PostgreSQL cannot serve now: ${reason}`)

describe('postgresUnavailable', () => {
  it.each([
    ['57P01'],
    ['57014'],
    ['08006'],
    ['08001'],
    ['53100'],
    ['53300'],
    ['ECONNREFUSED'],
    ['ETIMEDOUT'],
  ])('recognises %s', (code) => {
    const err = driverError(code)
    unavailable(postgresUnavailable(err), err, code)
  })

  it('recognises a lost connection, a pool connect timeout and a wrapped cause', () => {
    const lost = new Error('Connection terminated unexpectedly')
    unavailable(postgresUnavailable(lost), lost, 'connection terminated')
    const timeout = new Error('timeout exceeded when trying to connect')
    unavailable(postgresUnavailable(timeout), timeout, 'connect timeout')
    const outer = new Error('outer', { cause: driverError('08006') })
    unavailable(postgresUnavailable(outer), outer, '08006')
  })

  it('does not excuse bugs, constraint or syntax errors, or the store’s own errors', () => {
    for (const err of [
      new TypeError('x is not a function'),
      driverError('23505'),
      driverError('42601'),
      driverError('SQLITE_FULL'),
      new StoreConflictError('username'),
    ]) {
      expect(postgresUnavailable(err)).toBe(err)
    }
  })

  it('is applied to the store: a server that refuses connections answers StoreError unavailable', async () => {
    // Port 1 on the loopback: nothing listens there, the connect is refused at once.
    const store = createPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test' })
    try {
      await expect(store.ping()).rejects.toMatchObject({ name: 'StoreError', code: 'unavailable' })
      await expect(store.records.get(USERS, { id: 'u' })).rejects.toMatchObject({ code: 'unavailable' })
      await expect(store.records.get(CLIENTS, { id: 'c' })).rejects.toMatchObject({ code: 'unavailable' })
      await expect(store.rememberOnce('jti', 100, 2)).rejects.toMatchObject({ code: 'unavailable' })
    } finally {
      await store.close()
    }
  })
})
