import {
  type KeyManifest,
  type ManifestKey,
  readManifest,
  type SigningAlg,
  STANDBY_ACTIVATE_AT,
  writeManifest,
} from './key-manifest.ts'
import { checkKeySize, writeNewKeyFile } from './write-new-key-file.ts'

export interface EditKeyManifestOptions {
  dir: string
  /** Algorithm and size of the keys added (default RS256-2048). */
  alg?: SigningAlg
  bits?: number
  /** Overrides the manifest's publish lead (seconds). */
  publishLeadSec?: number
  /** Overrides the manifest's retire-after (seconds). */
  retireAfterSec?: number
}

export interface KeyManifestEdit {
  manifest: KeyManifest
  /** Writes a new key file and adds its entry: signing from `activateAt`, or a standby. */
  addKey(now: number, activateAt: number | 'standby'): Promise<ManifestKey>
  /** Writes the manifest (after the key files, so an entry never names a missing file). */
  save(): Promise<void>
}

/**
 * The manifest read for a change that adds keys, with the settings asked for applied. The key
 * size is checked before anything is written.
 */
export async function editKeyManifest(opts: EditKeyManifestOptions): Promise<KeyManifestEdit> {
  const alg = opts.alg ?? 'RS256'
  const bits = opts.bits ?? 2048
  checkKeySize(alg, bits)
  const manifest = await readManifest(opts.dir)
  if (opts.publishLeadSec !== undefined) manifest.publishLeadSec = opts.publishLeadSec
  if (opts.retireAfterSec !== undefined) manifest.retireAfterSec = opts.retireAfterSec
  return {
    manifest,
    async addKey(now, activateAt) {
      const { kid, file } = await writeNewKeyFile({ dir: opts.dir, alg, bits })
      const standby = activateAt === 'standby'
      const entry: ManifestKey = {
        kid,
        alg,
        file,
        createdAt: new Date(now).toISOString(),
        activateAt: standby ? STANDBY_ACTIVATE_AT : new Date(activateAt).toISOString(),
        ...(standby ? { standby: true as const } : {}),
      }
      manifest.keys.push(entry)
      return entry
    },
    save: () => writeManifest(opts.dir, manifest),
  }
}
