import { ConfigError } from '../errors.ts'
import type { TlsFiles } from './config.ts'
import { loadTlsCredentials, type TlsCredentials } from './load-tls-credentials.ts'
import type { Logger } from './logger.ts'
import { tlsFilesStamp } from './tls-files-stamp.ts'

export interface TlsReloader {
  /** The pair the server presents to new connections. */
  current(): TlsCredentials
  /** Loads both files now (SIGHUP); a bad pair is logged and the one in use stays. True when applied. */
  reload(): Promise<boolean>
  /** One stat of each file; loads them when either changed since the last attempt. True when applied. */
  check(): Promise<boolean>
  stop(): void
}

/**
 * Picks up a renewed certificate without a restart: every `intervalSec` (0: only on reload()) the
 * files are checked with one stat each, and a changed pair is loaded and, when it checks out,
 * handed to `apply` (the server's setSecureContext: new connections get it, open ones keep theirs).
 * A pair caught half-replaced, or otherwise refused, is logged once and retried at its next change.
 */
export function createTlsReloader(deps: {
  files: TlsFiles
  /** The pair the server started with (loaded by loadTlsCredentials, which refuses a bad one). */
  initial: TlsCredentials
  intervalSec: number
  logger: Logger
  apply: (credentials: TlsCredentials) => void
}): TlsReloader {
  const { files, logger } = deps
  let current = deps.initial
  // The stamp of the last pair tried, good or not: a refused pair is not retried until it changes.
  let lastStamp = deps.initial.stamp

  const attempt = async (trigger: 'changed' | 'signal'): Promise<boolean> => {
    // Taken before the read, so a second file landing during it still counts as a change.
    const stamp = await tlsFilesStamp(files)
    let next: TlsCredentials
    try {
      next = await loadTlsCredentials(files)
    } catch (err) {
      lastStamp = stamp
      logger.error('tls_reload_failed', {
        trigger,
        ...(err instanceof ConfigError
          ? { variable: err.variable, reason: err.message }
          : { reason: (err as Error).message }),
        kept: current.fingerprint256,
      })
      return false
    }
    lastStamp = next.stamp
    try {
      deps.apply(next)
    } catch (err) {
      logger.error('tls_reload_failed', {
        trigger,
        reason: (err as Error).message,
        kept: current.fingerprint256,
      })
      return false
    }
    current = next
    logger.info('tls_reloaded', {
      trigger,
      subject: next.subject,
      validTo: next.validTo,
      fingerprint256: next.fingerprint256,
    })
    return true
  }

  // One load at a time: a SIGHUP during a periodic check waits for it rather than racing it.
  let queue: Promise<unknown> = Promise.resolve()
  const serially = (step: () => Promise<boolean>): Promise<boolean> => {
    const run = queue.then(step)
    queue = run.catch(() => undefined)
    return run
  }
  const reload = () => serially(() => attempt('signal'))
  const check = () =>
    serially(async () => ((await tlsFilesStamp(files)) === lastStamp ? false : attempt('changed')))

  const timer =
    deps.intervalSec > 0
      ? setInterval(() => {
          void check()
        }, deps.intervalSec * 1000)
      : null
  timer?.unref()

  return {
    current: () => current,
    reload,
    check,
    stop() {
      if (timer) clearInterval(timer)
    },
  }
}
