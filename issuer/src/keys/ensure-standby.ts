import {
  type ManifestKey,
  readManifest,
  type SigningAlg,
  STANDBY_ACTIVATE_AT,
  writeManifest,
} from './key-manifest.ts'
import { keyScheduleAt } from './key-schedule.ts'
import { writeNewKeyFile } from './write-new-key-file.ts'

/**
 * Adds a standby when the directory has none published (a manifest from before standbys, or one
 * whose standby was retired by hand). Returns the key added, or undefined when one was there.
 */
export async function ensureStandby(opts: {
  dir: string
  now: number
  alg?: SigningAlg
  bits?: number
}): Promise<ManifestKey | undefined> {
  const manifest = await readManifest(opts.dir)
  const held = keyScheduleAt(manifest, opts.now).some((s) => s.state === 'next' && s.key.standby === true)
  if (held) return undefined
  const alg = opts.alg ?? 'RS256'
  const { kid, file } = await writeNewKeyFile({ dir: opts.dir, alg, bits: opts.bits ?? 2048 })
  const entry: ManifestKey = {
    kid,
    alg,
    file,
    createdAt: new Date(opts.now).toISOString(),
    activateAt: STANDBY_ACTIVATE_AT,
    standby: true,
  }
  manifest.keys.push(entry)
  await writeManifest(opts.dir, manifest)
  return entry
}
