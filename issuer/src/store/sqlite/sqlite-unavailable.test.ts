import { describe, expect, it } from 'vitest'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { firstPartyPublicClient } from '../../core/clients/client-record.ts'
import { listAll } from '../../core/records/list-all.ts'
import { StoreConflictError } from '../../core/store-error.ts'
import { createUser } from '../../core/users/create-user.ts'
import { findUserByUsername } from '../../core/users/find-user-by-username.ts'
import { USERS } from '../../core/users/user-collection.ts'
import { driverError, expectUnavailable } from '../../testing/store-unavailable-cases.ts'
import { createSqliteStore } from './sqlite-store.ts'
import { sqliteUnavailable } from './sqlite-unavailable.ts'

const unavailable = (translated: unknown, cause: unknown, reason: string) =>
  expectUnavailable(translated, cause, `SQLite cannot serve now: ${reason}`)

describe('sqliteUnavailable', () => {
  it.each([
    ['SQLITE_FULL'],
    ['SQLITE_READONLY'],
    ['SQLITE_BUSY'],
    ['SQLITE_LOCKED'],
    ['SQLITE_IOERR_WRITE'],
    ['SQLITE_CANTOPEN'],
    ['SQLITE_CORRUPT'],
    ['SQLITE_NOTADB'],
    ['SQLITE_PROTOCOL'],
  ])('recognises %s', (code) => {
    const err = driverError(code)
    unavailable(sqliteUnavailable(err), err, code)
  })

  it('recognises a closed connection and a wrapped cause', () => {
    const closed = new TypeError('The database connection is not open')
    unavailable(sqliteUnavailable(closed), closed, 'connection closed')
    const outer = new Error('outer', { cause: driverError('SQLITE_FULL') })
    unavailable(sqliteUnavailable(outer), outer, 'SQLITE_FULL')
  })

  it('does not excuse bugs, constraint errors or the store’s own errors', () => {
    for (const err of [
      new TypeError('x is not a function'),
      driverError('SQLITE_CONSTRAINT_UNIQUE'),
      driverError('ECONNREFUSED'),
      'SQLITE_FULL',
      new StoreConflictError('username'),
    ]) {
      expect(sqliteUnavailable(err)).toBe(err)
    }
  })

  it('is applied to every method: a closed store answers StoreError unavailable', async () => {
    const store = createSqliteStore({ path: ':memory:' })
    await store.migrate()
    await store.close()
    const calls: Promise<unknown>[] = [
      store.migrate(),
      store.ping(),
      createUser(store.records, { id: 'u', username: 'u', passwordHash: 'h', roles: [], createdAt: 1 }),
      findUserByUsername(store.records, 'u'),
      store.records.get(USERS, { id: 'u' }),
      listAll(store.records, USERS),
      store.records.update(USERS, { id: 'u' }, { disabled: true, updatedAt: 2 }),
      store.createSession({
        id: 's',
        userId: 'u',
        clientId: 'c',
        createdAt: 1,
        absoluteExpiresAt: 100,
        clientIp: null,
        userAgent: null,
        scope: [],
        publicClient: true,
        tokenHash: 't',
        idleExpiresAt: 50,
      }),
      store.getSession('s'),
      store.findToken('t'),
      store.rotate({
        tokenHash: 't',
        now: 2,
        clientId: null,
        graceMs: 0,
        successor: { hash: 'n', idleExpiresAt: 60, sealed: 'x' },
      }),
      store.revokeSession('s', 'logout', 2),
      store.revokeUserSessions('u', 'logout_all', 2),
      store.listSessions('u', 2),
      store.purgeExpired(2),
      store.hitCounters(['k'], 2, 1000),
      store.settleCounters({ reset: ['k'], release: ['j'] }),
      store.records.insert(CLIENTS, firstPartyPublicClient('c', 1)),
      store.records.get(CLIENTS, { id: 'c' }),
      listAll(store.records, CLIENTS),
      store.records.update(CLIENTS, { id: 'c' }, { disabled: true, updatedAt: 2 }),
      store.records.delete(CLIENTS, { id: 'c' }),
      store.rememberOnce('jti', 100, 2),
    ]
    for (const outcome of await Promise.allSettled(calls)) {
      expect(outcome).toMatchObject({
        status: 'rejected',
        reason: {
          name: 'StoreError',
          code: 'unavailable',
          message: 'SQLite cannot serve now: connection closed',
        },
      })
    }
  })
})
