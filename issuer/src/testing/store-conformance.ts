// The suites every Store implementation must pass, one per concern (testing/conformance/): the
// atomic steps, each proved per backend, and the issuer's own collections through the records port.
// A store's test file is one call:
//   runStoreConformance('sqlite', async () => ({ store: createSqliteStore(...), cleanup }))
// `makeStore` returns a fresh, isolated, not yet migrated store; each case migrates it, and
// `cleanup` closes it and removes its data.
import { describe } from 'vitest'
import { describeCounters } from './conformance/counters.ts'
import { describeIssuerCollections } from './conformance/issuer-collections.ts'
import { describePurge } from './conformance/purge.ts'
import { describeRedeemOnce } from './conformance/redeem-once.ts'
import { describeRememberOnce } from './conformance/remember-once.ts'
import { describeRevocationAndListing } from './conformance/revocation-and-listing.ts'
import { describeRevocationEntries } from './conformance/revocation-entries.ts'
import { describeRotate } from './conformance/rotate.ts'
import { describeSessions } from './conformance/sessions.ts'
import type { ConformanceOptions, StoreUnderTest } from './conformance/store-under-test.ts'

export function runStoreConformance(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
  options: ConformanceOptions = {},
): void {
  const target = { name, makeStore, options }
  describe(`${name} store conformance`, () => {
    describeIssuerCollections(target)
    describeSessions(target)
    describeRotate(target)
    describeRedeemOnce(target)
    describeRememberOnce(target)
    describeRevocationAndListing(target)
    describeRevocationEntries(target)
    describePurge(target)
    describeCounters(target)
  })
}
