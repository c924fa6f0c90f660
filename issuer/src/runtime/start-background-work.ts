import type { Clock } from '../core/clock.ts'
import type { Store } from '../core/store.ts'
import type { KeyRing } from '../keys/key-ring.ts'
import type { Logger } from './logger.ts'

export interface BackgroundWork {
  /** Re-reads the keys directory; logs and keeps the last good set on failure. */
  reloadKeys(): Promise<boolean>
  stop(): void
}

/** How often the keys manifest is checked for a change (one stat); a change reloads the keys. */
export const KEYS_MANIFEST_CHECK_MS = 250

/**
 * The issuer's periodic work: rescan the keys directory (new keys are picked up without a
 * restart; a changed manifest within KEYS_MANIFEST_CHECK_MS, so an emergency promotion signs at
 * once) and purge expired sessions, tokens and counters. The timers do not keep the process alive.
 */
export function startBackgroundWork(deps: {
  keyRing: KeyRing
  store: Store
  clock: Clock
  logger: Logger
  keysRescanSec: number
  purgeIntervalSec: number
  /** Called after every successful reload: the revocation feed tells the key events at once
   *  rather than at its next poll, so a retirement reaches verifiers one poll sooner. */
  onKeysReloaded?: () => void
}): BackgroundWork {
  const { keyRing, store, clock, logger } = deps
  const reloadKeys = async (): Promise<boolean> => {
    try {
      await keyRing.reload()
      logger.info('keys_reloaded', { published: keyRing.jwks(clock()).keys.length })
      deps.onKeysReloaded?.()
      return true
    } catch (err) {
      logger.error('keys_reload_failed', { message: (err as Error).message })
      return false
    }
  }
  const purge = async () => {
    try {
      const removed = await store.purgeExpired(clock())
      if (removed > 0) logger.info('purged_expired', { rows: removed })
    } catch (err) {
      logger.error('purge_failed', { name: (err as Error).name })
    }
  }
  let checking = false
  const reloadIfChanged = async () => {
    if (checking) return
    checking = true
    try {
      if (await keyRing.manifestChanged()) await reloadKeys()
    } catch (err) {
      logger.error('keys_check_failed', { message: (err as Error).message })
    } finally {
      checking = false
    }
  }
  const timers = [
    setInterval(reloadKeys, deps.keysRescanSec * 1000),
    setInterval(reloadIfChanged, KEYS_MANIFEST_CHECK_MS),
    setInterval(purge, deps.purgeIntervalSec * 1000),
  ]
  for (const t of timers) t.unref()
  return {
    reloadKeys,
    stop() {
      for (const t of timers) clearInterval(t)
    },
  }
}
