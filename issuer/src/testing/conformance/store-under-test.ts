// What a store's test file hands the conformance suites (testing/store-conformance.ts), and the
// life of the store each case runs on: made fresh and migrated before it, cleaned up after it.
// Every instant the suites pass is explicit: no clock, no sleeping.
import { afterEach, beforeEach } from 'vitest'
import type { Store } from '../../core/store.ts'

export interface StoreUnderTest {
  store: Store
  cleanup(): Promise<void>
  /** Another instance over the same data (a second issuer's connection); the suite closes it. */
  openAnother?: () => Store
  /**
   * Deletes a user behind the store's back, as an operator could (the port has no deletion);
   * whatever the database does to the user's sessions with it is part of the case. Required
   * unless the options say `usersOutOfReach` (a `:memory:` database only the store can touch).
   */
  deleteUser?: (id: string) => Promise<void>
}

export interface ConformanceOptions {
  /** The store is shared by several instances: run the cross-instance races. */
  sharedByInstances?: boolean
  /** Nothing but the store reaches its data (`:memory:`): the deleted-user case does not apply. */
  usersOutOfReach?: boolean
}

/** One backend as every concern's suite receives it. */
export interface ConformanceTarget {
  /** The backend's name, for the messages of a misconfigured target. */
  name: string
  /** A fresh, isolated, not yet migrated store. */
  makeStore: () => Promise<StoreUnderTest>
  options: ConformanceOptions
}

/**
 * Registers, in the calling `describe`, a fresh migrated store per case and its cleanup; answers
 * the running case's store under test (read it inside a case, never while registering).
 */
export function useStoreUnderTest(target: ConformanceTarget): Readonly<StoreUnderTest> {
  let current: StoreUnderTest | null = null
  beforeEach(async () => {
    current = await target.makeStore()
    await current.store.migrate()
  })
  afterEach(async () => {
    const made = current
    current = null
    await made?.cleanup()
  })
  const made = (): StoreUnderTest => {
    if (current === null) throw new Error(`${target.name}: the store under test exists only inside a case`)
    return current
  }
  return {
    get store() {
      return made().store
    },
    cleanup: () => made().cleanup(),
    get openAnother() {
      return made().openAnother
    },
    get deleteUser() {
      return made().deleteUser
    },
  }
}
