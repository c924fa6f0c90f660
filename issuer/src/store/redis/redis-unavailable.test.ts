import { describe, expect, it } from 'vitest'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { StoreConflictError } from '../../core/store-error.ts'
import { USERS } from '../../core/users/user-collection.ts'
import { driverError, expectUnavailable } from '../../testing/store-unavailable-cases.ts'
import { createRedisStore } from './redis-store.ts'
import { redisUnavailable } from './redis-unavailable.ts'

const unavailable = (translated: unknown, cause: unknown, reason: string) =>
  expectUnavailable(translated, cause, `Redis cannot serve now: ${reason}`)

describe('redisUnavailable', () => {
  it.each([['ECONNREFUSED'], ['ECONNRESET'], ['EPIPE'], ['ENOTFOUND'], ['EHOSTUNREACH'], ['EAI_AGAIN']])(
    'recognises %s',
    (code) => {
      const err = driverError(code)
      unavailable(redisUnavailable(err), err, code)
    },
  )

  it('recognises ioredis’s closed connection, exhausted retries, offline queue and a wrapped cause', () => {
    const closed = new Error('Connection is closed.')
    unavailable(redisUnavailable(closed), closed, 'connection closed')
    const retries = new Error('Reached the max retries per request limit (which is 3). Refer to ...')
    unavailable(redisUnavailable(retries), retries, 'max retries reached')
    const offline = new Error("Stream isn't writeable and enableOfflineQueue options is false")
    unavailable(redisUnavailable(offline), offline, 'stream not writeable')
    const outer = new Error('outer', { cause: driverError('ECONNRESET') })
    unavailable(redisUnavailable(outer), outer, 'ECONNRESET')
  })

  it('does not excuse bugs, script errors or the store’s own errors', () => {
    for (const err of [
      new TypeError('x is not a function'),
      new Error('ERR Error running script: attempt to compare nil with number'),
      driverError('SQLITE_BUSY'),
      driverError('57P01'),
      new StoreConflictError('username'),
    ]) {
      expect(redisUnavailable(err)).toBe(err)
    }
  })

  it('is applied to the store: a closed connection answers StoreError unavailable', async () => {
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
    const store = createRedisStore({ url, prefix: 'tokensmith-test:closed:' })
    await store.ping()
    await store.close()
    await expect(store.records.get(USERS, { id: 'u' })).rejects.toMatchObject({
      name: 'StoreError',
      code: 'unavailable',
    })
    await expect(store.hitCounters(['k'], 1, 1000)).rejects.toMatchObject({ code: 'unavailable' })
    await expect(store.records.list(CLIENTS)).rejects.toMatchObject({ code: 'unavailable' })
    await expect(store.rememberOnce('jti', 100, 2)).rejects.toMatchObject({ code: 'unavailable' })
  })
})
