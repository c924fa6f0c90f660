import { type ManifestKey, readManifest } from './key-manifest.ts'
import { withKeysDirLock } from './keys-dir-lock.ts'
import { rotateKeys } from './rotate-keys.ts'

/**
 * The dev convenience of `pnpm start`: in a keys directory with no key at all, a first key that
 * signs at once and a standby beside it (so `genkeys --now` has a key to promote). Returns the
 * signing key, or undefined when the directory already has keys (then nothing is written, whatever
 * their state). Under the directory lock, so instances starting together on one volume make one.
 */
export async function generateFirstKey(opts: {
  dir: string
  clock: () => number
  retireAfterSec: number
}): Promise<ManifestKey | undefined> {
  if ((await readManifest(opts.dir)).keys.length > 0) return undefined
  return withKeysDirLock({ dir: opts.dir, clock: opts.clock }, async () => {
    if ((await readManifest(opts.dir)).keys.length > 0) return undefined
    const now = opts.clock()
    const { signing } = await rotateKeys({ dir: opts.dir, now, retireAfterSec: opts.retireAfterSec })
    return signing
  })
}
