import { KeyError } from '../errors.ts'
import { type KeyManifest, MANIFEST_FILE, readManifest } from './key-manifest.ts'
import { type KeyStatus, keyScheduleAt } from './key-schedule.ts'
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
}

interface Loaded {
  manifest: KeyManifest
  keys: Map<string, SigningKey>
}

async function loadDir(dir: string, now: number): Promise<Loaded> {
  const manifest = await readManifest(dir)
  const keys = new Map<string, SigningKey>()
  for (const status of keyScheduleAt(manifest, now)) {
    // Retired keys are never used again; their files may already be pruned.
    if (status.state === 'retired') continue
    keys.set(status.key.kid, await loadSigningKey(dir, status.key))
  }
  return { manifest, keys }
}

/** Reads the keys directory and manifest; answers, for any instant, which key signs and which are published. */
export async function createKeyRing(opts: { dir: string; clock: () => number }): Promise<KeyRing> {
  let loaded = await loadDir(opts.dir, opts.clock())

  const published = (now: number) =>
    keyScheduleAt(loaded.manifest, now)
      .filter((s) => s.state !== 'retired')
      .map((s) => loaded.keys.get(s.key.kid))
      .filter((k): k is SigningKey => k !== undefined)

  return {
    signingKey(now) {
      const current = keyScheduleAt(loaded.manifest, now).find((s) => s.state === 'current')
      const key = current && loaded.keys.get(current.key.kid)
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
      return { keys: published(now).map((k) => k.publicJwk) }
    },
    schedule(now) {
      return keyScheduleAt(loaded.manifest, now)
    },
    manifest() {
      return loaded.manifest
    },
    async reload() {
      loaded = await loadDir(opts.dir, opts.clock())
    },
  }
}
