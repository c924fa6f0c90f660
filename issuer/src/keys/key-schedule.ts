import type { KeyManifest, ManifestKey } from './key-manifest.ts'

export type KeyState = 'next' | 'current' | 'previous' | 'retired'

export interface KeyStatus {
  key: ManifestKey
  state: KeyState
  /** +Infinity for a standby: it signs only once promoted. */
  activateAt: number
  /** When the key stops being published; null while nothing is scheduled to replace it. */
  retireAt: number | null
}

/** When a key starts signing; a standby never does until it is promoted. */
export function activationOf(key: ManifestKey): number {
  return key.standby === true ? Number.POSITIVE_INFINITY : Date.parse(key.activateAt)
}

const byActivation = (a: ManifestKey, b: ManifestKey): number => {
  const [x, y] = [activationOf(a), activationOf(b)]
  if (x !== y) return x < y ? -1 : 1
  return Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.kid.localeCompare(b.kid)
}

/**
 * The state of every key at instant `now`, derived from timestamps alone so that several
 * issuer instances reading the same manifest agree without talking to each other.
 * Keys are ordered by activation; each key is replaced by the one activating after it, and
 * stays published for `retireAfterSec` after that (until every token it signed has expired).
 * A key retired by hand (`retiredAt`, an emergency) is unpublished from that instant; it keeps
 * its place in the order so that older keys are not revived by its removal. A standby is `next`
 * with no activation: published from its creation, last in the order, replacing nobody.
 */
export function keyScheduleAt(manifest: KeyManifest, now: number): KeyStatus[] {
  const retireAfterMs = manifest.retireAfterSec * 1000
  const ordered = [...manifest.keys].sort(byActivation)
  return ordered.map((key, i): KeyStatus => {
    const activateAt = activationOf(key)
    const successor = ordered[i + 1]
    const successorAt = successor ? activationOf(successor) : Number.POSITIVE_INFINITY
    // A standby successor replaces nobody until it is promoted.
    const replacedAt = Number.isFinite(successorAt) ? successorAt : null
    let retireAt = replacedAt === null ? null : replacedAt + retireAfterMs
    const forcedAt = key.retiredAt === undefined ? null : Date.parse(key.retiredAt)
    if (forcedAt !== null) retireAt = retireAt === null ? forcedAt : Math.min(retireAt, forcedAt)
    let state: KeyState
    if (forcedAt !== null && forcedAt <= now) state = 'retired'
    else if (activateAt > now) state = 'next'
    else if (replacedAt === null || replacedAt > now) state = 'current'
    else if (retireAt !== null && now < retireAt) state = 'previous'
    else state = 'retired'
    return { key, state, activateAt, retireAt }
  })
}

/** The key that signs at `now`, if any. */
export function currentKeyAt(manifest: KeyManifest, now: number): ManifestKey | undefined {
  return keyScheduleAt(manifest, now).find((s) => s.state === 'current')?.key
}

/** The schedule at `now`, and the span of instants [from, until) over which it stays the same. */
export interface KeyScheduleSpan {
  statuses: KeyStatus[]
  from: number
  until: number
}

/**
 * `keyScheduleAt` with the instants around `now` where it next changes, so a caller can keep it
 * until then. States change only at a key's activation (which is also when it replaces the key
 * before it) or at its retirement, forced or scheduled.
 */
export function keyScheduleSpanAt(manifest: KeyManifest, now: number): KeyScheduleSpan {
  const statuses = keyScheduleAt(manifest, now)
  let from = Number.NEGATIVE_INFINITY
  let until = Number.POSITIVE_INFINITY
  for (const s of statuses) {
    for (const at of [s.activateAt, s.retireAt]) {
      if (at === null || !Number.isFinite(at)) continue
      if (at <= now) from = Math.max(from, at)
      else until = Math.min(until, at)
    }
  }
  return { statuses, from, until }
}
