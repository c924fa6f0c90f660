// Runs the real issuer (ISSUER_ENTRY, with ISSUER_NODE_FLAGS as `pnpm start` does) as a child
// process: for multi-process and crash tests, the demo and the bench.
import { ISSUER_ENTRY } from '../runtime/issuer-entry.ts'
import { ISSUER_NODE_FLAGS } from '../runtime/node-flags.ts'
import { type SpawnedService, spawnService } from './spawn-service.ts'

export interface SpawnedIssuer extends SpawnedService {
  /** Where it listens: `http://127.0.0.1:<port>`. */
  url: string
}

export interface SpawnIssuerOptions {
  /**
   * Listen on this port, and unless `env` sets ISSUER_URL, be `http://127.0.0.1:<port>` (the `iss`
   * claim and the discovery URLs). Default: any free port (PORT=0), ISSUER_URL as `env` says.
   */
  port?: number
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
  const service = await spawnService({
    name: 'issuer',
    script: opts.script ?? ISSUER_ENTRY,
    // LOG_LEVEL info whatever the caller's environment says: the launcher waits for the `listening` line.
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...(opts.port === undefined ? {} : { ISSUER_URL: `http://127.0.0.1:${port}` }),
      ...env,
    },
    nodeFlags: [...ISSUER_NODE_FLAGS, ...(opts.nodeFlags ?? [])],
    ...(opts.onLogLine === undefined ? {} : { onLogLine: opts.onLogLine }),
    ...(opts.keepOutput === undefined ? {} : { keepOutput: opts.keepOutput }),
  })
  return { ...service, url: `http://127.0.0.1:${service.port}` }
}
