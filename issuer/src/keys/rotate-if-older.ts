import { ensureStandby } from './ensure-standby.ts'
import { type ManifestKey, readManifest } from './key-manifest.ts'
import { keyScheduleAt } from './key-schedule.ts'
import { type KeyRotation, type RotateKeysOptions, rotateKeys } from './rotate-keys.ts'

export type RotateIfOlderResult =
  | { rotated: true; rotation: KeyRotation }
  /**
   * `fresh`: the current key is younger than the threshold. `scheduled`: a rotation already waits.
   * `addedStandby`: the directory had no standby (a manifest from before them), so one was added.
   */
  | { rotated: false; reason: 'fresh'; kid: string; ageMs: number; addedStandby: ManifestKey | undefined }
  | {
      rotated: false
      reason: 'scheduled'
      kid: string
      signsFrom: number
      addedStandby: ManifestKey | undefined
    }

/**
 * A routine rotation when the current key has signed for at least `maxAgeSec`, else nothing:
 * idempotent, so cron may run it often and on every instance (under `withKeysDirLock`, the
 * second run finds the first one's key current, or scheduled). A key scheduled to sign later
 * (not a standby) counts as a rotation already done.
 */
export async function rotateIfOlder(
  opts: Omit<RotateKeysOptions, 'emergency'> & { maxAgeSec: number },
): Promise<RotateIfOlderResult> {
  const { now } = opts
  const statuses = keyScheduleAt(await readManifest(opts.dir), now)
  const current = statuses.find((s) => s.state === 'current')
  if (current !== undefined) {
    const scheduled = statuses.find((s) => s.state === 'next' && s.key.standby !== true)
    const addStandby = () => ensureStandby(opts)
    if (scheduled !== undefined) {
      const signsFrom = scheduled.activateAt
      return {
        rotated: false,
        reason: 'scheduled',
        kid: scheduled.key.kid,
        signsFrom,
        addedStandby: await addStandby(),
      }
    }
    const ageMs = now - current.activateAt
    if (ageMs < opts.maxAgeSec * 1000)
      return {
        rotated: false,
        reason: 'fresh',
        kid: current.key.kid,
        ageMs,
        addedStandby: await addStandby(),
      }
  }
  return { rotated: true, rotation: await rotateKeys(opts) }
}
