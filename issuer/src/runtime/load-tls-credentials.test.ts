import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../errors.ts'
import { createTlsCertificate, type TlsCertificate } from '../testing/tls-certificate.ts'
import { loadTlsCredentials } from './load-tls-credentials.ts'

let dir: string
let pair: TlsCertificate
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-tls-'))
  pair = await createTlsCertificate({ dir })
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function refusal(certFile: string, keyFile: string): Promise<ConfigError> {
  const err = await loadTlsCredentials({ certFile, keyFile }).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConfigError)
  return err as ConfigError
}

describe('loadTlsCredentials', () => {
  it('reads a certificate and its key, with the public facts the logs show', async () => {
    const c = await loadTlsCredentials({ certFile: pair.certFile, keyFile: pair.keyFile })
    expect(c.cert.toString()).toBe(pair.certPem)
    expect(c.key.toString()).toBe(pair.keyPem)
    expect(c.subject).toBe('CN=localhost')
    expect(c.fingerprint256).toBe(pair.fingerprint256)
    expect(Date.parse(c.validTo)).toBeGreaterThan(Date.now() + 29 * 86_400_000)
  })

  it('takes a full chain, the leaf first, and describes the leaf', async () => {
    const fullchain = join(dir, 'fullchain.pem')
    await writeFile(fullchain, pair.certPem + pair.caPem)
    const c = await loadTlsCredentials({ certFile: fullchain, keyFile: pair.keyFile })
    expect(c.fingerprint256).toBe(pair.fingerprint256)
  })

  it('refuses a missing file, naming its variable and the path', async () => {
    const gone = join(dir, 'gone.pem')
    const cert = await refusal(gone, pair.keyFile)
    expect(cert.variable).toBe('TLS_CERT_FILE')
    expect(cert.message).toBe(`TLS_CERT_FILE: cannot read ${gone} (ENOENT)`)
    expect((await refusal(pair.certFile, gone)).variable).toBe('TLS_KEY_FILE')
  })

  it('refuses files that hold the wrong thing', async () => {
    const junk = join(dir, 'junk.pem')
    await writeFile(junk, 'not a PEM file\n')
    expect((await refusal(junk, pair.keyFile)).message).toMatch(/^TLS_CERT_FILE: .*holds no PEM certificate$/)
    expect((await refusal(pair.certFile, junk)).message).toMatch(/^TLS_KEY_FILE: .*holds no unencrypted PEM/)
    // The files swapped: a certificate is no key, a key no certificate.
    expect((await refusal(pair.keyFile, pair.certFile)).variable).toBe('TLS_CERT_FILE')
    expect((await refusal(pair.certFile, pair.certFile)).variable).toBe('TLS_KEY_FILE')
  })

  it('refuses a key that is not the certificate’s, without quoting either file', async () => {
    const other = await createTlsCertificate({ dir: join(dir, 'other'), ca: pair.ca })
    const err = await refusal(pair.certFile, other.keyFile)
    expect(err.variable).toBe('TLS_KEY_FILE')
    expect(err.message).toMatch(/is not the key of the certificate in TLS_CERT_FILE/)
    expect(err.message).not.toMatch(/BEGIN|PRIVATE/)
  })
})
