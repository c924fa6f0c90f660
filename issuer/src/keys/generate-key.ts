import { type EditKeyManifestOptions, editKeyManifest } from './edit-key-manifest.ts'
import type { KeyManifest, ManifestKey } from './key-manifest.ts'
import { currentKeyAt } from './key-schedule.ts'

export interface GenerateKeyOptions extends EditKeyManifestOptions {
  now: number
  /** Sign at once instead of after the publish lead (the first key, or an emergency). */
  immediate?: boolean
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
 * when asked or when no key is current. The private key is written PKCS#8 PEM with mode 0600.
 * `rotateKeys` is the operator's command; this stays the one-key primitive tests and seeding use.
 */
export async function generateKey(opts: GenerateKeyOptions): Promise<GeneratedKey> {
  const edit = await editKeyManifest(opts)
  const { manifest } = edit
  const activatedNow = opts.immediate === true || currentKeyAt(manifest, opts.now) === undefined
  const entry = await edit.addKey(
    opts.now,
    activatedNow ? opts.now : opts.now + manifest.publishLeadSec * 1000,
  )
  await edit.save()
  return { entry, manifest, activatedNow }
}
