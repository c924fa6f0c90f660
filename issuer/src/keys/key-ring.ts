import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { KeyError } from '../errors.ts'
import { type KeyManifest, MANIFEST_FILE, readManifest } from './key-manifest.ts'
import { type KeyScheduleSpan, type KeyStatus, keyScheduleAt, keyScheduleSpanAt } from './key-schedule.ts'
import { loadSigningKey, type SigningKey } from './load-signing-key.ts'
import type { PublicJwk } from './public-jwk.ts'

export interface Jwks {
  keys: PublicJwk[]
}

export interface KeyRing {
  /** The key that signs at `now`. Throws KeyError when no key is current. */
  signingKey(now: number): SigningKey
  /** The public keys published at `now`: next, current and previous. */
  jwks(now: number): Jwks
  schedule(now: number): KeyStatus[]
  manifest(): KeyManifest
  /** Re-reads the directory. On failure the previous key set stays in use and the error is thrown. */
  reload(): Promise<void>
  /**
   * Whether the manifest on disk changed since it was last loaded or reported changed (one `stat`:
   * cheap enough to ask every second, so a promotion by `genkeys --now` signs within a second).
   */
  manifestChanged(): Promise<boolean>
}

interface Loaded {
  manifest: KeyManifest
  keys: Map<string, SigningKey>
  /** The manifest file's identity when read: genkeys replaces it by rename, so any write changes it. */
  fileStamp: string
}

async function manifestStamp(dir: string): Promise<string> {
  try {
    const st = await stat(join(dir, MANIFEST_FILE), { bigint: true })
    return `${st.ino}:${st.size}:${st.mtimeNs}`
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing'
    throw err
  }
}

async function loadDir(dir: string, now: number): Promise<Loaded> {
  // Stamp before reading: a write landing in between is seen as a change on the next check.
  const fileStamp = await manifestStamp(dir)
  const manifest = await readManifest(dir)
  const keys = new Map<string, SigningKey>()
  for (const status of keyScheduleAt(manifest, now)) {
    // Retired keys are never used again; their files may already be pruned.
    if (status.state === 'retired') continue
    keys.set(status.key.kid, await loadSigningKey(dir, status.key))
  }
  return { manifest, keys, fileStamp }
}

/** What the ring answers for every instant of one schedule span. */
interface Answers extends KeyScheduleSpan {
  signing: SigningKey | undefined
  published: SigningKey[]
}

/**
 * Reads the keys directory and manifest; answers, for any instant, which key signs and which are
 * published. `signingKey(now)` runs for every token signed, so the schedule is computed once per
 * span between two transitions (a key activating or retiring) and kept until `now` leaves it, or
 * the directory is reloaded: promotion and retirement still happen at their instant.
 */
export async function createKeyRing(opts: { dir: string; clock: () => number }): Promise<KeyRing> {
  let loaded = await loadDir(opts.dir, opts.clock())
  let seenStamp = loaded.fileStamp
  let answers: Answers | undefined

  const answersAt = (now: number): Answers => {
    if (answers !== undefined && now >= answers.from && now < answers.until) return answers
    const span = keyScheduleSpanAt(loaded.manifest, now)
    const keyOf = (s: KeyStatus) => loaded.keys.get(s.key.kid)
    const current = span.statuses.find((s) => s.state === 'current')
    answers = {
      ...span,
      signing: current && keyOf(current),
      published: span.statuses
        .filter((s) => s.state !== 'retired')
        .map(keyOf)
        .filter((k): k is SigningKey => k !== undefined),
    }
    return answers
  }

  return {
    signingKey(now) {
      const key = answersAt(now).signing
      if (!key) {
        throw new KeyError(
          `${opts.dir}/${MANIFEST_FILE}`,
          'no key is current; run `pnpm genkeys --now`',
          'no_current_key',
        )
      }
      return key
    },
    jwks(now) {
      return { keys: answersAt(now).published.map((k) => k.publicJwk) }
    },
    schedule(now) {
      return [...answersAt(now).statuses]
    },
    manifest() {
      return loaded.manifest
    },
    async reload() {
      loaded = await loadDir(opts.dir, opts.clock())
      seenStamp = loaded.fileStamp
      answers = undefined
    },
    async manifestChanged() {
      // Against the last stamp seen, not the last loaded: a manifest that failed to load is
      // reported once, not on every check until someone fixes it.
      const stamp = await manifestStamp(opts.dir)
      if (stamp === seenStamp) return false
      seenStamp = stamp
      return true
    },
  }
}
