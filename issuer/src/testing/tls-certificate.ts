// Certificates for tests that talk TLS to a real process: a throwaway CA and a server certificate
// it signed, as PEM files the issuer reads (TLS_CERT_FILE, TLS_KEY_FILE) and a CA a client trusts.
import { X509Certificate } from 'node:crypto'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { join } from 'node:path'

// Loaded on first use: it takes a tenth of a second, and most users of testing/ never need it.
const generator = () => import('selfsigned').then((m) => m.generate)

/** A CA of the test's own: trust `certPem`; pass it back as `ca` to issue a renewal. */
export interface TestCertificateAuthority {
  certPem: string
  keyPem: string
}

export interface TlsCertificate {
  /** `<dir>/<name>.crt`: the server certificate, for TLS_CERT_FILE. */
  certFile: string
  /** `<dir>/<name>.key`: its private key (PKCS#8, mode 0600), for TLS_KEY_FILE. */
  keyFile: string
  /** `<dir>/ca.crt`: the CA, for clients given a path (curl --cacert, NODE_EXTRA_CA_CERTS). */
  caFile: string
  /** The CA's certificate: `ca` for node:https and node:tls. */
  caPem: string
  certPem: string
  keyPem: string
  /** As a client sees it: `tlsSocket.getPeerCertificate().fingerprint256`. */
  fingerprint256: string
  /** The CA that signed it. */
  ca: TestCertificateAuthority
}

export interface TlsCertificateOptions {
  /** Where the files go (created when missing). */
  dir: string
  /** The files' stem: `<name>.crt`, `<name>.key`. Default `server`. */
  name?: string
  /** Sign with this CA (a renewal clients already trust); default a new one. */
  ca?: TestCertificateAuthority
  /** Subject alternative names, DNS names or IP addresses; the first is the common name.
   *  Default `localhost`, `127.0.0.1`, `::1`. */
  hosts?: readonly string[]
  /** Validity from a minute ago; default 30. */
  validDays?: number
}

const DAY_MS = 86_400_000

// selfsigned ends its PEM without a newline; files on disk end with one, so that a full chain can
// be made with `cat`.
const pemText = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`)

// Replace by rename, as certbot and cert-manager do: a reader sees the old file or the new one.
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`
  await writeFile(tmp, text, { mode })
  await rename(tmp, path)
}

async function newAuthority(notBeforeDate: Date, notAfterDate: Date): Promise<TestCertificateAuthority> {
  const generate = await generator()
  const ca = await generate([{ name: 'commonName', value: 'tokensmith test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  })
  return { certPem: pemText(ca.cert), keyPem: pemText(ca.private) }
}

/**
 * Issues a server certificate (EC P-256, SHA-256, serverAuth) for `hosts` from a CA, and writes
 * it, its key and the CA into `dir`; files already there are replaced by rename, key first.
 */
export async function createTlsCertificate(opts: TlsCertificateOptions): Promise<TlsCertificate> {
  const hosts = opts.hosts ?? ['localhost', '127.0.0.1', '::1']
  const [commonName] = hosts
  if (commonName === undefined) throw new Error('createTlsCertificate: hosts must name at least one host')
  // A minute back, so a client whose clock is slightly behind still accepts it.
  const notBeforeDate = new Date(Date.now() - 60_000)
  const notAfterDate = new Date(notBeforeDate.getTime() + (opts.validDays ?? 30) * DAY_MS)
  const ca = opts.ca ?? (await newAuthority(notBeforeDate, new Date(notBeforeDate.getTime() + 365 * DAY_MS)))
  const generate = await generator()
  const leaf = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.keyPem, cert: ca.certPem },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: hosts.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })),
      },
    ],
  })
  const certPem = pemText(leaf.cert)
  const keyPem = pemText(leaf.private)
  await mkdir(opts.dir, { recursive: true })
  const name = opts.name ?? 'server'
  const certFile = join(opts.dir, `${name}.crt`)
  const keyFile = join(opts.dir, `${name}.key`)
  const caFile = join(opts.dir, 'ca.crt')
  await writeAtomically(keyFile, keyPem, 0o600)
  await writeAtomically(certFile, certPem, 0o644)
  await writeAtomically(caFile, ca.certPem, 0o644)
  return {
    certFile,
    keyFile,
    caFile,
    caPem: ca.certPem,
    certPem,
    keyPem,
    fingerprint256: new X509Certificate(certPem).fingerprint256,
    ca,
  }
}
