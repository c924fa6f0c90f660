import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { type ServerType, serve } from '@hono/node-server'
import type { TlsFiles } from './config.ts'
import { createTlsReloader, type TlsReloader } from './create-tls-reloader.ts'
import type { TlsCredentials } from './load-tls-credentials.ts'
import type { Logger } from './logger.ts'

export interface IssuerServer {
  server: ServerType
  /** Re-reads the TLS files now (SIGHUP); false over plain HTTP or when the pair is refused. */
  reloadTls(): Promise<boolean>
  /** Stops watching the TLS files (the server itself closes with server.close()). */
  stop(): void
}

/**
 * Listens with the issuer's app: HTTPS when TLS files are configured (their pair already loaded
 * and checked, so a bad one stops start-up before anything listens), and a renewal of those files
 * picked up without a restart; plain HTTP otherwise.
 */
export function createIssuerServer(deps: {
  fetch: Parameters<typeof serve>[0]['fetch']
  host: string
  port: number
  tls: { files: TlsFiles; initial: TlsCredentials; reloadSec: number } | null
  logger: Logger
  onListening: (info: AddressInfo) => void
}): IssuerServer {
  const { tls } = deps
  if (tls === null) {
    const server = serve({ fetch: deps.fetch, hostname: deps.host, port: deps.port }, deps.onListening)
    return { server, reloadTls: async () => false, stop() {} }
  }
  const server = serve(
    {
      fetch: deps.fetch,
      hostname: deps.host,
      port: deps.port,
      createServer: createHttpsServer,
      serverOptions: { cert: tls.initial.cert, key: tls.initial.key },
    },
    deps.onListening,
  )
  if (!(server instanceof HttpsServer))
    throw new Error('@hono/node-server did not use the https server it was given')
  const reloader: TlsReloader = createTlsReloader({
    files: tls.files,
    initial: tls.initial,
    intervalSec: tls.reloadSec,
    logger: deps.logger,
    // New handshakes use the new pair; connections already open keep the one they negotiated.
    apply: (next) => server.setSecureContext({ cert: next.cert, key: next.key }),
  })
  return { server, reloadTls: reloader.reload, stop: reloader.stop }
}
