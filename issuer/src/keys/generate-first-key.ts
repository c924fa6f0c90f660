import { generateKey } from './generate-key.ts'
import { type ManifestKey, readManifest } from './key-manifest.ts'

/**
 * The dev convenience of `pnpm start`: in a keys directory with no key at all, a first key that
 * signs at once. Returns it, or undefined when the directory already has keys (then nothing is
 * written, whatever their state).
 */
export async function generateFirstKey(opts: {
  dir: string
  now: number
  retireAfterSec: number
}): Promise<ManifestKey | undefined> {
  const manifest = await readManifest(opts.dir)
  if (manifest.keys.length > 0) return undefined
  const { entry } = await generateKey({ dir: opts.dir, now: opts.now, retireAfterSec: opts.retireAfterSec })
  return entry
}
