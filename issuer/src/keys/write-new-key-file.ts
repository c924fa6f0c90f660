import { generateKeyPair as generateKeyPairCb, type KeyObject } from 'node:crypto'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ConfigError } from '../errors.ts'
import type { SigningAlg } from './key-manifest.ts'
import { MIN_RSA_BITS } from './load-signing-key.ts'
import { publicJwkOf } from './public-jwk.ts'

const generateKeyPair = promisify(generateKeyPairCb)

export const RSA_BITS = [2048, 3072, 4096] as const

async function newPrivateKey(alg: SigningAlg, bits: number): Promise<KeyObject> {
  if (alg === 'RS256') return (await generateKeyPair('rsa', { modulusLength: bits })).privateKey
  if (alg === 'ES256') return (await generateKeyPair('ec', { namedCurve: 'P-256' })).privateKey
  return (await generateKeyPair('ed25519')).privateKey
}

/** Refuses an RSA size the issuer would not load, before anything is written. */
export function checkKeySize(alg: SigningAlg, bits: number): void {
  if (alg === 'RS256' && (!RSA_BITS.includes(bits as (typeof RSA_BITS)[number]) || bits < MIN_RSA_BITS)) {
    throw new ConfigError('--bits', `must be one of ${RSA_BITS.join(', ')} for RS256 (got ${bits})`)
  }
}

/**
 * Generates a private key and writes it as `<kid>.pem` (PKCS#8 PEM, mode 0600) in the keys
 * directory; the caller adds it to the manifest afterwards, so a crash in between leaves an
 * orphan file, never an entry without its file.
 */
export async function writeNewKeyFile(opts: {
  dir: string
  alg: SigningAlg
  bits: number
}): Promise<{ kid: string; file: string }> {
  checkKeySize(opts.alg, opts.bits)
  await mkdir(opts.dir, { recursive: true, mode: 0o700 })
  const privateKey = await newPrivateKey(opts.alg, opts.bits)
  const { kid } = await publicJwkOf(privateKey, opts.alg)
  const file = `${kid}.pem`
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  const path = join(opts.dir, file)
  await writeFile(path, pem, { mode: 0o600, flag: 'wx' })
  await chmod(path, 0o600) // the umask cannot widen it, but be explicit for existing dirs
  return { kid, file }
}
