// Every method of a store goes through its adapter's translation of driver errors, so the rest
// of the issuer sees one StoreError whatever the driver, and no adapter repeats a try/catch.
import type { Store } from '../core/store.ts'

/** The store with each method's failures (its records' too) passed through `translate` (which returns what to throw). */
export function translateErrors(store: Store, translate: (err: unknown) => unknown): Store {
  return { ...translated(store, translate), records: translated(store.records, translate) }
}

function translated<T extends object>(target: T, translate: (err: unknown) => unknown): T {
  const out: Record<string, unknown> = {}
  for (const [name, member] of Object.entries(target)) {
    if (typeof member !== 'function') continue
    out[name] = async (...args: unknown[]) => {
      try {
        return await member.apply(target, args)
      } catch (err) {
        throw translate(err)
      }
    }
  }
  return out as T
}
