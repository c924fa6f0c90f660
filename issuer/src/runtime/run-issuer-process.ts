// The issuer as a process: configuration from the environment (docs/issuer.md), logs as JSON lines
// on stdout, HTTPS when TLS files are configured, SIGHUP reloads the keys (and the TLS files),
// SIGTERM / SIGINT drain and stop. `pnpm start` runs it (main.ts); so can an embedding that brings
// its own store.
import type { AddressInfo } from 'node:net'
import type { Store } from '../core/store.ts'
import { ConfigError, KeyError } from '../errors.ts'
import { createBatchedLineWriter } from './batched-line-writer.ts'
import { type IssuerConfig, loadConfig } from './config.ts'
import { createIssuerServer } from './create-issuer-server.ts'
import { loadTlsCredentials } from './load-tls-credentials.ts'
import { createLogger } from './logger.ts'
import { lowerHelperThreadPriority } from './lower-helper-thread-priority.ts'
import { startIssuer } from './start-issuer.ts'

export interface IssuerProcessOptions {
  /** The store to serve from instead of the one DATABASE_URL names (startIssuer migrates it). */
  openStore?: (config: IssuerConfig) => Promise<Store>
}

async function run(opts: IssuerProcessOptions): Promise<void> {
  const config = loadConfig()
  // Before keys and store: a bad certificate or key is a configuration error like any other.
  const tls =
    config.tls === null
      ? null
      : { files: config.tls, initial: await loadTlsCredentials(config.tls), reloadSec: config.tlsReloadSec }
  const out = createBatchedLineWriter()
  const issuer = await startIssuer(config, {
    logger: createLogger({ level: config.logLevel, write: out.write }),
    ...(opts.openStore === undefined ? {} : { store: await opts.openStore(config) }),
  })
  const { logger } = issuer
  const listener = createIssuerServer({
    fetch: issuer.app.fetch,
    host: config.host,
    port: config.port,
    tls,
    logger,
    onListening: (info: AddressInfo) => {
      // After start-up, when the thread pool, V8's helpers and the store's threads all exist.
      const threads = lowerHelperThreadPriority(config.helperThreadNice)
      if (threads > 0) logger.debug('helper_threads_lowered', { threads, nice: config.helperThreadNice })
      logger.info('listening', {
        scheme: tls === null ? 'http' : 'https',
        host: info.address,
        port: info.port,
        issuer: config.issuerUrl,
        ...(tls === null
          ? {}
          : {
              subject: tls.initial.subject,
              validTo: tls.initial.validTo,
              fingerprint256: tls.initial.fingerprint256,
            }),
      })
    },
  })
  const { server } = listener

  process.on('SIGHUP', () => {
    void issuer.reloadKeys()
    void listener.reloadTls()
  })
  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info('shutting_down', { signal })
    // Stop accepting, let in-flight requests finish, then close the store.
    const force = setTimeout(() => {
      logger.warn('shutdown_forced', { afterMs: 10_000 })
      process.exit(1)
    }, 10_000)
    force.unref()
    // Streams never finish on their own: end them, so their followers reconnect elsewhere.
    issuer.revocationFeed.stop()
    listener.stop()
    server.close(() => {
      void issuer.close().then(() => {
        logger.info('stopped', {})
        process.exit(0)
      })
    })
    if ('closeIdleConnections' in server) server.closeIdleConnections()
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

/** Runs the issuer until a signal stops it; a start-up failure exits 2 (configuration, keys) or 1. */
export function runIssuerProcess(opts: IssuerProcessOptions = {}): void {
  run(opts).catch((err: unknown) => {
    if (err instanceof ConfigError || err instanceof KeyError) {
      process.stderr.write(`tokensmith: cannot start: ${err.message}\n`)
      process.exit(2)
    }
    process.stderr.write(`tokensmith: cannot start: ${(err as Error).stack ?? String(err)}\n`)
    process.exit(1)
  })
}
