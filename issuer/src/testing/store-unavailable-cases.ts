// Shared by the adapters' tests of their driver-error translation (sqlite/, postgres/, redis/).
import { expect } from 'vitest'
import { StoreError } from '../core/store-error.ts'

/** An error as a driver raises it: a message and a string `code`. */
export const driverError = (code: string, message = 'driver error'): Error =>
  Object.assign(new Error(message), { code })

/** `translated` is StoreError('unavailable') with this message and `cause` kept as the driver's error. */
export function expectUnavailable(translated: unknown, cause: unknown, message: string): void {
  expect(translated).toBeInstanceOf(StoreError)
  expect(translated).toMatchObject({ code: 'unavailable', message })
  expect((translated as StoreError).cause).toBe(cause)
}
