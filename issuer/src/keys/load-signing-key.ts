import { createPrivateKey, type KeyObject } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { KeyError } from '../errors.ts'
import type { ManifestKey, SigningAlg } from './key-manifest.ts'
import { type PublicJwk, publicJwkOf } from './public-jwk.ts'

export const MIN_RSA_BITS = 2048

export interface SigningKey {
  kid: string
  alg: SigningAlg
  privateKey: KeyObject
  publicJwk: PublicJwk
}

function expectedKeyType(alg: SigningAlg): { type: string; curve?: string } {
  if (alg === 'RS256') return { type: 'rsa' }
  if (alg === 'ES256') return { type: 'ec', curve: 'prime256v1' }
  return { type: 'ed25519' }
}

/**
 * Loads one private key named by the manifest and refuses it, naming the file and the fix,
 * when it is readable by group/others, an RSA key under 2048 bits, of the wrong type for its
 * `alg`, or not the key whose thumbprint the manifest records.
 */
export async function loadSigningKey(dir: string, entry: ManifestKey): Promise<SigningKey> {
  const file = join(dir, entry.file)
  let mode: number
  try {
    mode = (await stat(file)).mode
  } catch {
    throw new KeyError(
      file,
      `is missing but the manifest lists kid ${entry.kid}; restore the file, or retire the key with \`pnpm genkeys --retire ${entry.kid}\``,
    )
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0')
    throw new KeyError(
      file,
      `private key is readable by group or others (mode ${octal}); run \`chmod 600 ${file}\``,
    )
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(await readFile(file, 'utf8'))
  } catch {
    throw new KeyError(file, 'is not a readable PKCS#8 PEM private key; restore it or generate a new key')
  }
  const want = expectedKeyType(entry.alg)
  const details = privateKey.asymmetricKeyDetails ?? {}
  if (
    privateKey.asymmetricKeyType !== want.type ||
    (want.curve !== undefined && details.namedCurve !== want.curve)
  ) {
    throw new KeyError(file, `is a ${privateKey.asymmetricKeyType} key but the manifest says ${entry.alg}`)
  }
  if (want.type === 'rsa' && (details.modulusLength ?? 0) < MIN_RSA_BITS) {
    throw new KeyError(
      file,
      `is RSA-${details.modulusLength}; at least ${MIN_RSA_BITS} bits are required: generate a new key with \`pnpm genkeys\``,
    )
  }
  const publicJwk = await publicJwkOf(privateKey, entry.alg)
  if (publicJwk.kid !== entry.kid) {
    throw new KeyError(
      file,
      `has thumbprint ${publicJwk.kid} but the manifest says ${entry.kid}; the file was replaced or the manifest edited: restore the original file`,
    )
  }
  return { kid: entry.kid, alg: entry.alg, privateKey, publicJwk }
}
