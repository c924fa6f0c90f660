import { randomBytes } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { KeyError } from '../errors.ts'

export const MANIFEST_FILE = 'keyset.json'

export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA'
export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA']

export interface ManifestKey {
  kid: string
  alg: SigningAlg
  /** PKCS#8 PEM file name inside the keys directory. */
  file: string
  createdAt: string
  /** When the key starts signing; before that it is published only (`next`). For a standby,
   *  STANDBY_ACTIVATE_AT: readers that predate standbys then keep it `next` too. */
  activateAt: string
  /** A standby: published, signs only once promoted (`genkeys --now`, or a rotation), whatever
   *  `activateAt` says. Absent in manifests written before standbys existed. */
  standby?: true
  /** Set by `genkeys --retire`: the key stops being published at this instant. */
  retiredAt?: string
}

export interface KeyManifest {
  version: 1
  /** How long a key stays published after it stops signing: longest access token
   *  lifetime plus clock skew. */
  retireAfterSec: number
  /** How long a new key is published before it signs; at least the verifiers' JWKS cache max-age. */
  publishLeadSec: number
  keys: ManifestKey[]
}

/** What a standby's `activateAt` holds: an instant that never comes. */
export const STANDBY_ACTIVATE_AT = '9999-12-31T23:59:59.999Z'

export const DEFAULT_PUBLISH_LEAD_SEC = 15 * 60
/** 15-minute access tokens plus 60 s of clock skew. */
export const DEFAULT_RETIRE_AFTER_SEC = 15 * 60 + 60

export function emptyManifest(): KeyManifest {
  return {
    version: 1,
    retireAfterSec: DEFAULT_RETIRE_AFTER_SEC,
    publishLeadSec: DEFAULT_PUBLISH_LEAD_SEC,
    keys: [],
  }
}

function isIsoInstant(v: unknown): v is string {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v))
}

function parseManifest(file: string, text: string): KeyManifest {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new KeyError(file, 'is not valid JSON; restore it from backup or remove it and run `pnpm genkeys`')
  }
  const m = raw as Partial<KeyManifest> | null
  const bad = (what: string) =>
    new KeyError(file, `${what}; fix the manifest by hand or restore it from backup`)
  if (!m || typeof m !== 'object' || m.version !== 1) throw bad('has no "version": 1')
  if (!Number.isInteger(m.retireAfterSec) || (m.retireAfterSec ?? 0) <= 0)
    throw bad('"retireAfterSec" must be a positive integer')
  if (!Number.isInteger(m.publishLeadSec) || (m.publishLeadSec ?? -1) < 0)
    throw bad('"publishLeadSec" must be a non-negative integer')
  if (!Array.isArray(m.keys)) throw bad('"keys" must be an array')
  const seen = new Set<string>()
  for (const [i, k] of m.keys.entries()) {
    const entry = k as Partial<ManifestKey> | null
    if (!entry || typeof entry.kid !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(entry.kid))
      throw bad(`keys[${i}].kid must be an RFC 7638 thumbprint`)
    if (seen.has(entry.kid)) throw bad(`keys[${i}].kid ${entry.kid} appears twice`)
    seen.add(entry.kid)
    if (!SIGNING_ALGS.includes(entry.alg as SigningAlg))
      throw bad(`keys[${i}].alg must be RS256, ES256 or EdDSA`)
    if (typeof entry.file !== 'string' || !/^[A-Za-z0-9_.-]+\.pem$/.test(entry.file))
      throw bad(`keys[${i}].file must be a .pem file name inside the keys directory`)
    if (!isIsoInstant(entry.createdAt) || !isIsoInstant(entry.activateAt))
      throw bad(`keys[${i}] needs ISO-8601 "createdAt" and "activateAt"`)
    if (entry.retiredAt !== undefined && !isIsoInstant(entry.retiredAt))
      throw bad(`keys[${i}].retiredAt must be an ISO-8601 instant`)
    if (entry.standby !== undefined && entry.standby !== true)
      throw bad(`keys[${i}].standby must be true when present`)
  }
  return m as KeyManifest
}

/** Reads `<dir>/keyset.json`; a missing manifest is an empty key set. */
export async function readManifest(dir: string): Promise<KeyManifest> {
  const file = join(dir, MANIFEST_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyManifest()
    throw err
  }
  return parseManifest(file, text)
}

/** Writes the manifest atomically (temp file + rename) so a reader never sees half of it. */
export async function writeManifest(dir: string, manifest: KeyManifest): Promise<void> {
  const file = join(dir, MANIFEST_FILE)
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 })
  await rename(tmp, file)
}
