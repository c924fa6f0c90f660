import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LogFields } from '../core/logger.ts'
import { createTlsCertificate, type TlsCertificate } from '../testing/tls-certificate.ts'
import { createTlsReloader, type TlsReloader } from './create-tls-reloader.ts'
import { loadTlsCredentials, type TlsCredentials } from './load-tls-credentials.ts'
import type { Logger } from './logger.ts'

let dir: string
let first: TlsCertificate
let lines: { event: string; fields: LogFields }[]
let applied: TlsCredentials[]
let reloader: TlsReloader

const logger: Logger = {
  debug: () => {},
  info: (event, fields = {}) => lines.push({ event, fields }),
  warn: (event, fields = {}) => lines.push({ event, fields }),
  error: (event, fields = {}) => lines.push({ event, fields }),
  security: (event, fields = {}) => lines.push({ event, fields }),
}
const files = () => ({ certFile: first.certFile, keyFile: first.keyFile })

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-tls-reload-'))
  first = await createTlsCertificate({ dir })
  lines = []
  applied = []
  reloader = createTlsReloader({
    files: files(),
    initial: await loadTlsCredentials(files()),
    intervalSec: 0, // the tests call check() themselves
    logger,
    apply: (c) => applied.push(c),
  })
})
afterEach(async () => {
  reloader.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('createTlsReloader', () => {
  it('does nothing while the files stay as they were', async () => {
    expect(await reloader.check()).toBe(false)
    expect(applied).toEqual([])
    expect(lines).toEqual([])
  })

  it('applies a renewed pair and logs its public facts only', async () => {
    const renewed = await createTlsCertificate({ dir, ca: first.ca })
    expect(await reloader.check()).toBe(true)
    expect(applied.map((c) => c.fingerprint256)).toEqual([renewed.fingerprint256])
    expect(reloader.current().fingerprint256).toBe(renewed.fingerprint256)
    expect(lines).toEqual([
      {
        event: 'tls_reloaded',
        fields: {
          trigger: 'changed',
          subject: 'CN=localhost',
          validTo: expect.any(String),
          fingerprint256: renewed.fingerprint256,
        },
      },
    ])
    expect(await reloader.check()).toBe(false)
  })

  it('keeps the pair in use through a half-done replacement, logs it once, and takes the completed one', async () => {
    const staged = await createTlsCertificate({ dir: join(dir, 'staged'), ca: first.ca })
    // The new key has landed, its certificate not yet.
    await rename(staged.keyFile, first.keyFile)
    expect(await reloader.check()).toBe(false)
    expect(await reloader.check()).toBe(false)
    expect(applied).toEqual([])
    expect(reloader.current().fingerprint256).toBe(first.fingerprint256)
    expect(lines).toEqual([
      {
        event: 'tls_reload_failed',
        fields: {
          trigger: 'changed',
          variable: 'TLS_KEY_FILE',
          reason: expect.stringMatching(/is not the key of the certificate in TLS_CERT_FILE/),
          kept: first.fingerprint256,
        },
      },
    ])
    expect(JSON.stringify(lines)).not.toMatch(/PRIVATE KEY/)

    await rename(staged.certFile, first.certFile)
    expect(await reloader.check()).toBe(true)
    expect(reloader.current().fingerprint256).toBe(staged.fingerprint256)
  })

  it('refuses a certificate caught half-written in place, and takes it once complete', async () => {
    const staged = await createTlsCertificate({ dir: join(dir, 'staged'), ca: first.ca })
    await writeFile(first.keyFile, staged.keyPem)
    await writeFile(first.certFile, staged.certPem.slice(0, staged.certPem.length / 2))
    expect(await reloader.check()).toBe(false)
    expect(lines.at(-1)).toMatchObject({ event: 'tls_reload_failed', fields: { variable: 'TLS_CERT_FILE' } })
    await writeFile(first.certFile, staged.certPem)
    expect(await reloader.check()).toBe(true)
    expect(reloader.current().fingerprint256).toBe(staged.fingerprint256)
  })

  it('notices a file that disappears and comes back', async () => {
    await rename(first.certFile, join(dir, 'away.crt'))
    expect(await reloader.check()).toBe(false)
    expect(lines.at(-1)?.fields).toMatchObject({
      variable: 'TLS_CERT_FILE',
      reason: expect.stringMatching(/ENOENT/),
    })
    await rename(join(dir, 'away.crt'), first.certFile)
    expect(await reloader.check()).toBe(true)
  })

  it('loads the files on reload() whether or not they changed, and keeps the pair when apply throws', async () => {
    expect(await reloader.reload()).toBe(true)
    expect(lines.at(-1)).toMatchObject({ event: 'tls_reloaded', fields: { trigger: 'signal' } })

    const failing = createTlsReloader({
      files: files(),
      initial: reloader.current(),
      intervalSec: 0,
      logger,
      apply: () => {
        throw new Error('refused by the server')
      },
    })
    const renewed = await createTlsCertificate({ dir, ca: first.ca })
    expect(await failing.check()).toBe(false)
    expect(failing.current().fingerprint256).toBe(first.fingerprint256)
    expect(lines.at(-1)).toMatchObject({
      event: 'tls_reload_failed',
      fields: { reason: 'refused by the server', kept: first.fingerprint256 },
    })
    expect(renewed.fingerprint256).not.toBe(first.fingerprint256)
  })
})
