import { type EditKeyManifestOptions, editKeyManifest } from './edit-key-manifest.ts'
import type { ManifestKey } from './key-manifest.ts'
import { keyScheduleAt } from './key-schedule.ts'

/**
 * Adds a standby when the directory has none published (a manifest from before standbys, or one
 * whose standby was retired by hand). Returns the key added, or undefined when one was there.
 */
export async function ensureStandby(
  opts: EditKeyManifestOptions & { now: number },
): Promise<ManifestKey | undefined> {
  const edit = await editKeyManifest(opts)
  const held = keyScheduleAt(edit.manifest, opts.now).some(
    (s) => s.state === 'next' && s.key.standby === true,
  )
  if (held) return undefined
  const entry = await edit.addKey(opts.now, 'standby')
  await edit.save()
  return entry
}
