import { ConfigError } from '../errors.ts'
import { readManifest, writeManifest } from './key-manifest.ts'
import { keyScheduleAt } from './key-schedule.ts'

/**
 * Unpublishes a key at once (a compromised key). Refuses the key that signs now: generate a
 * replacement with `genkeys --now` first, so that signing never stops.
 */
export async function retireKey(dir: string, kid: string, now: number): Promise<void> {
  const manifest = await readManifest(dir)
  const status = keyScheduleAt(manifest, now).find((s) => s.key.kid === kid)
  if (!status) throw new ConfigError('--retire', `no key with kid ${kid} in ${dir}`)
  if (status.state === 'current') {
    throw new ConfigError(
      '--retire',
      `${kid} signs now; run \`pnpm genkeys --now\` first so another key signs, then retire it`,
    )
  }
  if (status.state === 'retired') return
  for (const k of manifest.keys) if (k.kid === kid) k.retiredAt = new Date(now).toISOString()
  await writeManifest(dir, manifest)
}
