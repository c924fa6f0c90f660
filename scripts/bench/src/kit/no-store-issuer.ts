// The issuer with a store that does no work on the refresh path: the ceiling of `pnpm bench
// issuer`'s refresh / bare signer ratio, for `pnpm bench ab` (docs/performance.md, issue 13).
// It is the real issuer process (HTTP, refresh service, sealing, hashing, signing, logs) on the
// real store, except that once one rotation has really run, every later `rotate` answers a copy
// of that outcome at the end of its turn without reading or writing anything. Its tokens are
// not valid sessions: a bench reference only, never a way to run the issuer.
//   pnpm bench ab --a issuer/src/runtime/main.ts --b scripts/bench/src/kit/no-store-issuer.ts
import {
  openStore,
  type RotateResult,
  retentionNeededSec,
  runIssuerProcess,
  type Store,
} from '@tokensmith/issuer'

function rotatingOnce(store: Store): Store {
  let first: RotateResult | null = null
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name !== 'rotate') return Reflect.get(target, name, receiver)
      const rotate: Store['rotate'] = async (input) => {
        if (first !== null) {
          const answer = structuredClone(first)
          return new Promise((resolve) => setImmediate(() => resolve(answer)))
        }
        const result = await target.rotate(input)
        if (result.kind === 'rotated') first = result
        return result
      }
      return rotate
    },
  })
}

runIssuerProcess({
  openStore: async (config) =>
    rotatingOnce(
      await openStore(config.databaseUrl, {
        server: true,
        revocationTtlMs: retentionNeededSec(config) * 1000,
      }),
    ),
})
