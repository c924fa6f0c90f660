// A real issuer process over HTTPS for the interop suites, as an operator would run one: a test
// CA and a certificate for 127.0.0.1 (TLS_CERT_FILE, TLS_KEY_FILE), a scratch SQLite store that
// the operator CLIs fill before it starts, its log kept to be scanned for secrets at the end.
// Peers that refuse plain http (or should not be asked to accept it) trust `tls.caFile`.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createBrowserSession,
  createTlsCertificate,
  followToRedirect,
  freePort,
  leakedLines,
  type SpawnedIssuer,
  spawnIssuer,
  type TlsCertificate,
} from '@tokensmith/issuer/testing'
import { type Fetcher, nodeFetcher } from './node-fetch.ts'

export interface TlsIssuer {
  /** `https://127.0.0.1:<port>`: its ISSUER_URL, the `iss` of everything it signs. */
  url: string
  /** Its working directory: keys, store, certificate files. */
  dir: string
  tls: TlsCertificate
  /** fetch() trusting the test CA (`https://` URLs only). */
  fetch: Fetcher
  /**
   * A new browser (cookie jar) from `authorizationUrl` through the hosted login and consent pages
   * as `user`; answers the URL it was sent back to, as the client's redirect URI receives it.
   */
  signIn(authorizationUrl: string, user: { username: string; password: string }): Promise<URL>
  /** Every log line since start. */
  logLines: readonly string[]
  /** Stops it and removes its directory; answers the log lines that hold a secret or a token. */
  stop(secrets: readonly string[]): Promise<string[]>
}

/**
 * Starts an issuer on a free port after `prepare` registered users and clients in its store
 * (`databaseUrl`, through the CLIs). `env` is laid over the defaults (ACCESS_TOKEN_TTL, ...).
 */
export async function startTlsIssuer(opts: {
  prepare: (ctx: { databaseUrl: string; dir: string; url: string }) => Promise<void>
  env?: Record<string, string>
}): Promise<TlsIssuer> {
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-tls-issuer-'))
  const logLines: string[] = []
  let issuer: SpawnedIssuer | undefined
  const stop = async (secrets: readonly string[]) => {
    await issuer?.stop()
    await rm(dir, { recursive: true, force: true })
    return leakedLines(logLines, secrets)
  }
  try {
    const port = await freePort()
    const url = `https://127.0.0.1:${port}`
    const databaseUrl = `sqlite:${join(dir, 'issuer.db')}`
    const tls = await createTlsCertificate({ dir: join(dir, 'tls') })
    await opts.prepare({ databaseUrl, dir, url })
    issuer = await spawnIssuer(
      { KEYS_DIR: join(dir, 'keys'), DATABASE_URL: databaseUrl, SCRYPT_LOG_N: '10', ...opts.env },
      { port, tls, onLogLine: (line) => logLines.push(line) },
    )
    const fetch = nodeFetcher(tls.caPem)
    const signIn = async (authorizationUrl: string, user: { username: string; password: string }) => {
      const browser = createBrowserSession((path, init) => fetch(`${url}${path}`, init), url)
      return (await followToRedirect(browser, authorizationUrl, user)).location
    }
    return { url, dir, tls, fetch, signIn, logLines, stop }
  } catch (err) {
    await stop([])
    throw err
  }
}
