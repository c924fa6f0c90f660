import { generateKeyPair as generateKeyPairCb, type KeyObject } from 'node:crypto'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ConfigError } from '../errors.ts'
import {
  type KeyManifest,
  type ManifestKey,
  readManifest,
  type SigningAlg,
  writeManifest,
} from './key-manifest.ts'
import { currentKeyAt } from './key-schedule.ts'
import { MIN_RSA_BITS } from './load-signing-key.ts'
import { publicJwkOf } from './public-jwk.ts'

const generateKeyPair = promisify(generateKeyPairCb)

export const RSA_BITS = [2048, 3072, 4096] as const

export interface GenerateKeyOptions {
  dir: string
  now: number
  alg?: SigningAlg
  bits?: number
  /** Sign at once instead of after the publish lead (the first key, or an emergency). */
  immediate?: boolean
  /** Overrides the manifest's publish lead (seconds). */
  publishLeadSec?: number
  /** Overrides the manifest's retire-after (seconds). */
  retireAfterSec?: number
}

export interface GeneratedKey {
  entry: ManifestKey
  manifest: KeyManifest
  /** True when the key signs from `now` (asked for, or no key was current). */
  activatedNow: boolean
}

async function newPrivateKey(alg: SigningAlg, bits: number): Promise<KeyObject> {
  if (alg === 'RS256') return (await generateKeyPair('rsa', { modulusLength: bits })).privateKey
  if (alg === 'ES256') return (await generateKeyPair('ec', { namedCurve: 'P-256' })).privateKey
  return (await generateKeyPair('ed25519')).privateKey
}

/**
 * Adds a signing key to the keys directory as `next` (activating after the publish lead, so
 * every verifier has it before the first token signed with it arrives), or as `current` at once
 * when asked or when no key is current. The private key is written PKCS#8 PEM with mode 0600.
 */
export async function generateKey(opts: GenerateKeyOptions): Promise<GeneratedKey> {
  const alg = opts.alg ?? 'RS256'
  const bits = opts.bits ?? 2048
  if (alg === 'RS256' && (!RSA_BITS.includes(bits as (typeof RSA_BITS)[number]) || bits < MIN_RSA_BITS)) {
    throw new ConfigError('--bits', `must be one of ${RSA_BITS.join(', ')} for RS256 (got ${bits})`)
  }
  await mkdir(opts.dir, { recursive: true, mode: 0o700 })
  const manifest = await readManifest(opts.dir)
  if (opts.publishLeadSec !== undefined) manifest.publishLeadSec = opts.publishLeadSec
  if (opts.retireAfterSec !== undefined) manifest.retireAfterSec = opts.retireAfterSec

  const privateKey = await newPrivateKey(alg, bits)
  const { kid } = await publicJwkOf(privateKey, alg)
  const file = `${kid}.pem`
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  const path = join(opts.dir, file)
  await writeFile(path, pem, { mode: 0o600, flag: 'wx' })
  await chmod(path, 0o600) // the umask cannot widen it, but be explicit for existing dirs

  const activatedNow = opts.immediate === true || currentKeyAt(manifest, opts.now) === undefined
  const activateAt = activatedNow ? opts.now : opts.now + manifest.publishLeadSec * 1000
  const entry: ManifestKey = {
    kid,
    alg,
    file,
    createdAt: new Date(opts.now).toISOString(),
    activateAt: new Date(activateAt).toISOString(),
  }
  manifest.keys.push(entry)
  await writeManifest(opts.dir, manifest)
  return { entry, manifest, activatedNow }
}
