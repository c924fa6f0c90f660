import {
  type KeyManifest,
  type ManifestKey,
  readManifest,
  type SigningAlg,
  writeManifest,
} from './key-manifest.ts'
import { currentKeyAt } from './key-schedule.ts'
import { checkKeySize, writeNewKeyFile } from './write-new-key-file.ts'

export interface GenerateKeyOptions {
  dir: string
  now: number
  alg?: SigningAlg
  bits?: number
  /** Sign at once instead of after the publish lead (the first key, or an emergency). */
  immediate?: boolean
  /** Overrides the manifest's publish lead (seconds). */
  publishLeadSec?: number
  /** Overrides the manifest's retire-after (seconds). */
  retireAfterSec?: number
}

export interface GeneratedKey {
  entry: ManifestKey
  manifest: KeyManifest
  /** True when the key signs from `now` (asked for, or no key was current). */
  activatedNow: boolean
}

/**
 * Adds one signing key to the keys directory as `next` (activating after the publish lead, so
 * every verifier has it before the first token signed with it arrives), or as `current` at once
 * when asked or when no key is current. `rotateKeys` is the operator's command built on the same
 * steps; this stays the one-key primitive tests and seeding use.
 */
export async function generateKey(opts: GenerateKeyOptions): Promise<GeneratedKey> {
  const alg = opts.alg ?? 'RS256'
  const bits = opts.bits ?? 2048
  checkKeySize(alg, bits)
  const manifest = await readManifest(opts.dir)
  if (opts.publishLeadSec !== undefined) manifest.publishLeadSec = opts.publishLeadSec
  if (opts.retireAfterSec !== undefined) manifest.retireAfterSec = opts.retireAfterSec

  const { kid, file } = await writeNewKeyFile({ dir: opts.dir, alg, bits })
  const activatedNow = opts.immediate === true || currentKeyAt(manifest, opts.now) === undefined
  const activateAt = activatedNow ? opts.now : opts.now + manifest.publishLeadSec * 1000
  const entry: ManifestKey = {
    kid,
    alg,
    file,
    createdAt: new Date(opts.now).toISOString(),
    activateAt: new Date(activateAt).toISOString(),
  }
  manifest.keys.push(entry)
  await writeManifest(opts.dir, manifest)
  return { entry, manifest, activatedNow }
}
