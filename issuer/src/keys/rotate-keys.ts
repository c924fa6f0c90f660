import { KeyError } from '../errors.ts'
import { type EditKeyManifestOptions, editKeyManifest } from './edit-key-manifest.ts'
import { type KeyManifest, MANIFEST_FILE, type ManifestKey } from './key-manifest.ts'
import { type KeyStatus, keyScheduleAt } from './key-schedule.ts'

/** `alg` and `bits` are those of the keys this rotation creates; a promoted key keeps its own. */
export interface RotateKeysOptions extends EditKeyManifestOptions {
  now: number
  /**
   * An emergency (`genkeys --now`): the published key that waited longest signs at once. Without
   * it the standby signs once it has been published for the publish lead (at once when it has).
   */
  emergency?: boolean
}

export interface KeyRotation {
  /** The key this rotation makes sign, and from when. */
  signing: ManifestKey
  signsFrom: number
  /**
   * `promoted`: a key already published (a standby, or a scheduled `next`). `created`: a new key,
   * when none was published to promote (the first key; a manifest from before standbys).
   */
  how: 'promoted' | 'created'
  /** How long the signing key has been in the manifest when it starts signing. */
  publishedForMs: number
  /** The standby after the rotation, and whether this rotation created it. */
  standby: ManifestKey
  createdStandby: boolean
  manifest: KeyManifest
}

const byCreation = (a: KeyStatus, b: KeyStatus): number =>
  Date.parse(a.key.createdAt) - Date.parse(b.key.createdAt) || a.key.kid.localeCompare(b.key.kid)

/**
 * One rotation of the keys directory, written to the manifest at once (call it under
 * `withKeysDirLock`). Whatever signs afterwards, a standby stays published beside it, so the
 * next emergency also promotes a key every verifier already holds. An emergency never makes an
 * unpublished key sign: with no published key to promote it refuses (`no_standby_key`), unless
 * nothing signs at all (the first key), where there is nothing to keep working.
 */
export async function rotateKeys(opts: RotateKeysOptions): Promise<KeyRotation> {
  const edit = await editKeyManifest(opts)
  const { manifest } = edit
  const { now } = opts
  const leadMs = manifest.publishLeadSec * 1000
  const statuses = keyScheduleAt(manifest, now)
  const current = statuses.find((s) => s.state === 'current')
  const waiting = statuses.filter((s) => s.state === 'next').sort(byCreation)
  const standbys = waiting.filter((s) => s.key.standby === true)
  const newEntry = (activateAt: number | 'standby') => edit.addKey(now, activateAt)
  const promote = (key: ManifestKey, at: number): ManifestKey => {
    delete key.standby
    key.activateAt = new Date(at).toISOString()
    return key
  }

  let signing: ManifestKey
  let signsFrom: number
  let how: KeyRotation['how'] = 'promoted'
  const oldest = waiting[0]?.key
  if (current === undefined || opts.emergency === true) {
    if (oldest !== undefined) {
      signing = promote(oldest, now)
    } else if (current === undefined) {
      signing = await newEntry(now)
      how = 'created'
    } else {
      throw new KeyError(
        `${opts.dir}/${MANIFEST_FILE}`,
        'has no published key to promote, and --now never makes an unpublished key sign: run `pnpm genkeys` ' +
          '(it publishes a standby), reload the issuers (SIGHUP), wait the JWKS max-age, then `pnpm genkeys --now`',
        'no_standby_key',
      )
    }
    signsFrom = now
  } else {
    const standby = standbys[0]?.key
    if (standby !== undefined) {
      signsFrom = Math.max(now, Date.parse(standby.createdAt) + leadMs)
      signing = promote(standby, signsFrom)
    } else {
      signsFrom = now + leadMs
      signing = await newEntry(signsFrom)
      how = 'created'
    }
  }

  const kept = standbys.map((s) => s.key).find((k) => k !== signing)
  const standby = kept ?? (await newEntry('standby'))
  await edit.save()
  return {
    signing,
    signsFrom,
    how,
    publishedForMs: signsFrom - Date.parse(signing.createdAt),
    standby,
    createdStandby: kept === undefined,
    manifest,
  }
}
