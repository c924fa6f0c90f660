// Runs the real issuer (ISSUER_ENTRY, with ISSUER_NODE_FLAGS as `pnpm start` does) as a child
// process: for multi-process and crash tests, the demo and the bench.
import { ISSUER_ENTRY } from '../runtime/issuer-entry.ts'
import { ISSUER_NODE_FLAGS } from '../runtime/node-flags.ts'
import { type SpawnedService, spawnService } from './spawn-service.ts'
import type { TlsCertificate } from './tls-certificate.ts'

export interface SpawnedIssuer extends SpawnedService {
  /** Where it listens: `http://127.0.0.1:<port>`, or `https://` with `tls`. */
  url: string
}

export interface SpawnIssuerOptions {
  /**
   * Listen on this port, and unless `env` sets ISSUER_URL, be `http://127.0.0.1:<port>` (the `iss`
   * claim and the discovery URLs). Default: any free port (PORT=0), ISSUER_URL as `env` says.
   */
  port?: number
  /**
   * Serve HTTPS with these files (TLS_CERT_FILE, TLS_KEY_FILE; createTlsCertificate makes them):
   * `url` and the ISSUER_URL set for `port` are then `https://`. Clients must trust its CA.
   */
  tls?: Pick<TlsCertificate, 'certFile' | 'keyFile'>
  /** Node flags after ISSUER_NODE_FLAGS, for example ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeFlags?: readonly string[]
  /** Another build's entry point (an A/B against a `git worktree`); default ISSUER_ENTRY. */
  script?: string
  /** Receives every stdout (JSON log) line after start-up. */
  onLogLine?: (line: string) => void
  /** Keep its output after start-up in `output` (default true); false for load runs. */
  keepOutput?: boolean
}

export async function spawnIssuer(
  env: Record<string, string>,
  opts: SpawnIssuerOptions = {},
): Promise<SpawnedIssuer> {
  const port = opts.port ?? 0
  const scheme = opts.tls === undefined ? 'http' : 'https'
  const service = await spawnService({
    name: 'issuer',
    script: opts.script ?? ISSUER_ENTRY,
    // LOG_LEVEL info whatever the caller's environment says: the launcher waits for the `listening` line.
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...(opts.port === undefined ? {} : { ISSUER_URL: `${scheme}://127.0.0.1:${port}` }),
      ...(opts.tls === undefined ? {} : { TLS_CERT_FILE: opts.tls.certFile, TLS_KEY_FILE: opts.tls.keyFile }),
      ...env,
    },
    nodeFlags: [...ISSUER_NODE_FLAGS, ...(opts.nodeFlags ?? [])],
    ...(opts.onLogLine === undefined ? {} : { onLogLine: opts.onLogLine }),
    ...(opts.keepOutput === undefined ? {} : { keepOutput: opts.keepOutput }),
  })
  return { ...service, url: `${scheme}://127.0.0.1:${service.port}` }
}
