import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createSecureContext } from 'node:tls'
import { ConfigError } from '../errors.ts'
import type { TlsFiles } from './config.ts'
import { tlsFilesStamp } from './tls-files-stamp.ts'

/** A certificate and its key, checked to belong together: what the server presents. */
export interface TlsCredentials {
  /** The PEM text as read (the certificate may be followed by its chain). */
  cert: Buffer
  key: Buffer
  /** Public facts for the logs: never key material. */
  subject: string
  validTo: string
  /** SHA-256 of the leaf certificate, colon-separated hex (as `openssl x509 -fingerprint -sha256`). */
  fingerprint256: string
  /** tlsFilesStamp() taken before reading: a later different stamp means the files changed since. */
  stamp: string
}

async function readPem(variable: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
  }
}

/**
 * Reads TLS_CERT_FILE and TLS_KEY_FILE and checks them as a server pair: a PEM certificate, a PEM
 * private key, and the key is the certificate's. Throws ConfigError naming the variable at fault,
 * with a reason that never quotes the files (the key file is a secret).
 */
export async function loadTlsCredentials(files: TlsFiles): Promise<TlsCredentials> {
  // Before reading: a renewal landing during the read then shows as a change at the next check.
  const stamp = await tlsFilesStamp(files)
  const [cert, key] = await Promise.all([
    readPem('TLS_CERT_FILE', files.certFile),
    readPem('TLS_KEY_FILE', files.keyFile),
  ])
  let leaf: X509Certificate
  try {
    // The first certificate of the file: the leaf, in a full chain.
    leaf = new X509Certificate(cert)
  } catch {
    throw new ConfigError('TLS_CERT_FILE', `${files.certFile} holds no PEM certificate`)
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(key)
  } catch {
    // An encrypted key fails here too: the issuer has no passphrase to give.
    throw new ConfigError('TLS_KEY_FILE', `${files.keyFile} holds no unencrypted PEM private key`)
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new ConfigError(
      'TLS_KEY_FILE',
      `${files.keyFile} is not the key of the certificate in TLS_CERT_FILE (${files.certFile})`,
    )
  }
  try {
    // What the server will build from them: a chain OpenSSL refuses is caught here, not at a handshake.
    createSecureContext({ cert, key })
  } catch (err) {
    throw new ConfigError(
      'TLS_CERT_FILE',
      `${files.certFile} is refused by OpenSSL (${(err as Error).message})`,
    )
  }
  return {
    cert,
    key,
    subject: leaf.subject.replaceAll('\n', ', '),
    validTo: new Date(leaf.validTo).toISOString(),
    fingerprint256: leaf.fingerprint256,
    stamp,
  }
}
