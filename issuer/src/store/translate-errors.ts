// Every method of a store goes through its adapter's translation of driver errors, so the rest
// of the issuer sees one StoreError whatever the driver, and no adapter repeats a try/catch.
import type { Store } from '../core/store.ts'

/** The store with each method's failures passed through `translate` (which returns what to throw). */
export function translateErrors(store: Store, translate: (err: unknown) => unknown): Store {
  const translated: Partial<Record<keyof Store, unknown>> = {}
  for (const name of Object.keys(store) as (keyof Store)[]) {
    const method = store[name] as (...args: unknown[]) => Promise<unknown>
    translated[name] = async (...args: unknown[]) => {
      try {
        return await method.apply(store, args)
      } catch (err) {
        throw translate(err)
      }
    }
  }
  return translated as Store
}
