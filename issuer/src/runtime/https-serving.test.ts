// The issuer process serving HTTPS itself: real certificates, real TLS clients, and renewals
// picked up without a restart.
import { existsSync } from 'node:fs'
import { mkdtemp, rename, rm } from 'node:fs/promises'
import { Agent, get } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freePort } from '../testing/free-port.ts'
import { type SpawnedIssuer, spawnIssuer } from '../testing/spawn-issuer.ts'
import { createTlsCertificate, type TlsCertificate } from '../testing/tls-certificate.ts'

let dir: string
let tlsDir: string
let cert: TlsCertificate
let issuer: SpawnedIssuer | undefined
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-https-'))
  tlsDir = join(dir, 'tls')
  cert = await createTlsCertificate({ dir: tlsDir })
})
afterEach(async () => {
  await issuer?.stop()
  issuer = undefined
  await rm(dir, { recursive: true, force: true })
})

const envFor = (extra: Record<string, string> = {}) => ({
  KEYS_DIR: join(dir, 'keys'),
  DATABASE_URL: `sqlite:${join(dir, 'data', 'issuer.db')}`,
  ...extra,
})

interface Answer {
  status: number
  body: string
  /** The certificate the server presented on this answer's connection. */
  fingerprint256: string
  socket: TLSSocket
  reusedSocket: boolean
}

/** GET over https trusting only the test CA; `agent: false` is a new connection every time. */
function httpsGet(url: string, agent: Agent | false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca: cert.caPem, agent }, (res) => {
      const socket = res.socket as TLSSocket
      const fingerprint256 = socket.getPeerCertificate().fingerprint256
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          fingerprint256,
          socket,
          reusedSocket: req.reusedSocket,
        }),
      )
    })
    req.on('error', reject)
  })
}

/** Collects the issuer's log lines and waits for one that matches. */
function logWatcher() {
  const events: Record<string, unknown>[] = []
  const waiters: {
    match: (e: Record<string, unknown>) => boolean
    resolve: (e: Record<string, unknown>) => void
  }[] = []
  return {
    events,
    onLogLine(line: string) {
      const event = JSON.parse(line) as Record<string, unknown>
      events.push(event)
      for (const w of waiters.filter((w) => w.match(event))) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(event)
      }
    },
    /** The first line, already logged or to come, that matches. */
    waitFor(match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
      const seen = events.find(match)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve) => waiters.push({ match, resolve }))
    },
  }
}

const reloadedTo = (fingerprint256: string) => (e: Record<string, unknown>) =>
  e.event === 'tls_reloaded' && e.fingerprint256 === fingerprint256

async function refusedStart(env: Record<string, string>): Promise<string> {
  const err = await spawnIssuer(envFor(env)).then(
    async (started) => {
      await started.stop()
      return null
    },
    (e: unknown) => e as Error,
  )
  expect(err?.message).toMatch(/exited with 2 before listening/)
  // Refused before the keys and the store: nothing was created.
  expect(existsSync(join(dir, 'keys'))).toBe(false)
  expect(existsSync(join(dir, 'data'))).toBe(false)
  return err?.message ?? ''
}

describe('the issuer over HTTPS (TLS_CERT_FILE, TLS_KEY_FILE)', () => {
  it('serves discovery over https with an https issuer, and says so when it starts', async () => {
    const port = await freePort()
    issuer = await spawnIssuer(envFor(), { port, tls: cert })
    expect(issuer.url).toBe(`https://127.0.0.1:${port}`)
    const res = await httpsGet(`${issuer.url}/.well-known/openid-configuration`, false)
    expect(res.status).toBe(200)
    expect(res.fingerprint256).toBe(cert.fingerprint256)
    const metadata = JSON.parse(res.body) as { issuer: string; token_endpoint: string; jwks_uri: string }
    expect(metadata.issuer).toBe(`https://127.0.0.1:${port}`)
    expect(metadata.token_endpoint).toBe(`https://127.0.0.1:${port}/oauth/token`)
    expect(metadata.jwks_uri).toBe(`https://127.0.0.1:${port}/.well-known/jwks.json`)

    const listening = issuer.output
      .join('')
      .split('\n')
      .filter((l) => l.includes('"event":"listening"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(listening).toEqual([
      expect.objectContaining({
        scheme: 'https',
        port,
        issuer: `https://127.0.0.1:${port}`,
        subject: 'CN=localhost',
        fingerprint256: cert.fingerprint256,
      }),
    ])
    // No key material in what it wrote.
    expect(issuer.output.join('')).not.toMatch(/PRIVATE KEY|BEGIN/)
  })

  it('picks up a renewed pair without a restart: new connections get it, an open keep-alive one keeps working', async () => {
    const logs = logWatcher()
    issuer = await spawnIssuer(envFor({ TLS_RELOAD_INTERVAL: '1' }), { tls: cert, onLogLine: logs.onLogLine })
    const kept = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const before = await httpsGet(`${issuer.url}/healthz`, kept)
      expect(before.fingerprint256).toBe(cert.fingerprint256)

      // Replaced by rename, key then certificate, as certbot and cert-manager do.
      const renewed = await createTlsCertificate({ dir: tlsDir, ca: cert.ca })
      const reloaded = logs.waitFor(reloadedTo(renewed.fingerprint256))
      let done = false
      void reloaded.then(() => {
        done = true
      })
      // Use the open connection meanwhile, so the server's keep-alive timeout never closes it.
      do {
        const meanwhile = await httpsGet(`${issuer.url}/healthz`, kept)
        expect(meanwhile.socket).toBe(before.socket)
        await new Promise((r) => setTimeout(r, 100))
      } while (!done)
      expect(await reloaded).toMatchObject({ trigger: 'changed', subject: 'CN=localhost' })

      const fresh = await httpsGet(`${issuer.url}/.well-known/jwks.json`, false)
      expect(fresh.status).toBe(200)
      expect(fresh.fingerprint256).toBe(renewed.fingerprint256)

      const old = await httpsGet(`${issuer.url}/.well-known/jwks.json`, kept)
      expect(old.status).toBe(200)
      expect(old.reusedSocket).toBe(true)
      expect(old.socket).toBe(before.socket)
      expect(old.fingerprint256).toBe(cert.fingerprint256)
    } finally {
      kept.destroy()
    }
  })

  it('keeps serving the old certificate when the replacement is bad, and takes the next good one', async () => {
    const logs = logWatcher()
    issuer = await spawnIssuer(envFor({ TLS_RELOAD_INTERVAL: '1' }), { tls: cert, onLogLine: logs.onLogLine })
    const staged = await createTlsCertificate({ dir: join(dir, 'staged'), ca: cert.ca })
    // Only the new key: the pair on disk no longer matches.
    await rename(staged.keyFile, cert.keyFile)
    const failed = await logs.waitFor((e) => e.event === 'tls_reload_failed')
    expect(failed).toMatchObject({
      level: 'error',
      variable: 'TLS_KEY_FILE',
      reason: expect.stringMatching(/is not the key of the certificate in TLS_CERT_FILE/),
      kept: cert.fingerprint256,
    })
    const meanwhile = await httpsGet(`${issuer.url}/healthz`, false)
    expect(meanwhile.status).toBe(200)
    expect(meanwhile.fingerprint256).toBe(cert.fingerprint256)

    await rename(staged.certFile, cert.certFile)
    await logs.waitFor(reloadedTo(staged.fingerprint256))
    expect((await httpsGet(`${issuer.url}/healthz`, false)).fingerprint256).toBe(staged.fingerprint256)
    expect(logs.events.map((e) => JSON.stringify(e)).join('\n')).not.toMatch(/PRIVATE KEY|BEGIN/)
  })

  it('reloads the files on SIGHUP, with polling off (TLS_RELOAD_INTERVAL=0)', async () => {
    const logs = logWatcher()
    issuer = await spawnIssuer(envFor({ TLS_RELOAD_INTERVAL: '0' }), { tls: cert, onLogLine: logs.onLogLine })
    const renewed = await createTlsCertificate({ dir: tlsDir, ca: cert.ca })
    issuer.proc.kill('SIGHUP')
    expect(await logs.waitFor(reloadedTo(renewed.fingerprint256))).toMatchObject({ trigger: 'signal' })
    expect((await httpsGet(`${issuer.url}/healthz`, false)).fingerprint256).toBe(renewed.fingerprint256)
  })

  it('refuses to start with one of the two variables, naming the missing one', async () => {
    expect(await refusedStart({ TLS_CERT_FILE: cert.certFile })).toMatch(
      /cannot start: TLS_KEY_FILE: must be set with TLS_CERT_FILE/,
    )
    expect(await refusedStart({ TLS_KEY_FILE: cert.keyFile })).toMatch(
      /cannot start: TLS_CERT_FILE: must be set with TLS_KEY_FILE/,
    )
  })

  it('refuses to start with a file it cannot read or a key that is not the certificate’s', async () => {
    const missing = join(tlsDir, 'missing.crt')
    expect(await refusedStart({ TLS_CERT_FILE: missing, TLS_KEY_FILE: cert.keyFile })).toMatch(
      `cannot start: TLS_CERT_FILE: cannot read ${missing} (ENOENT)`,
    )
    const other = await createTlsCertificate({ dir: join(dir, 'other') })
    const mismatched = await refusedStart({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: other.keyFile })
    expect(mismatched).toMatch(
      /cannot start: TLS_KEY_FILE: .* is not the key of the certificate in TLS_CERT_FILE/,
    )
    expect(mismatched).not.toMatch(/PRIVATE KEY|BEGIN/)
  })
})
