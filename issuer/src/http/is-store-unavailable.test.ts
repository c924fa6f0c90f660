import { describe, expect, it } from 'vitest'
import { isStoreUnavailable } from './is-store-unavailable.ts'

const withCode = (code: string, message = 'driver error') => Object.assign(new Error(message), { code })

describe('isStoreUnavailable', () => {
  it.each([
    ['SQLITE_FULL'],
    ['SQLITE_READONLY'],
    ['SQLITE_BUSY'],
    ['SQLITE_IOERR_WRITE'],
    ['SQLITE_CANTOPEN'],
    ['ECONNREFUSED'],
    ['57P01'],
    ['08006'],
    ['53100'],
  ])('recognises %s', (code) => {
    expect(isStoreUnavailable(withCode(code))).toBe(true)
  })

  it('recognises closed connections and wrapped causes', () => {
    expect(isStoreUnavailable(new TypeError('The database connection is not open'))).toBe(true)
    expect(isStoreUnavailable(new Error('Connection is closed.'))).toBe(true)
    expect(isStoreUnavailable(new Error('outer', { cause: withCode('SQLITE_FULL') }))).toBe(true)
  })

  it('does not excuse bugs and constraint errors', () => {
    expect(isStoreUnavailable(new TypeError('x is not a function'))).toBe(false)
    expect(isStoreUnavailable(withCode('SQLITE_CONSTRAINT_UNIQUE'))).toBe(false)
    expect(isStoreUnavailable(withCode('23505'))).toBe(false)
    expect(isStoreUnavailable('SQLITE_FULL')).toBe(false)
  })
})
