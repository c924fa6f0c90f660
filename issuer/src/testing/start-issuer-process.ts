import { freePort } from './free-port.ts'
import { type SpawnedIssuer, spawnIssuer } from './spawn-issuer.ts'

/** `url` is also the issuer's `iss` (ISSUER_URL). */
export type IssuerProcess = SpawnedIssuer

export interface StartIssuerOptions {
  /** KEYS_DIR; the issuer generates a first key there if it is empty. */
  keysDir: string
  /** DATABASE_URL, for example `sqlite:/tmp/x/issuer.db`. */
  databaseUrl: string
  /** Extra environment (REFRESH_GRACE, AUDIENCE, ...). */
  env?: Record<string, string>
  nodeFlags?: string[]
  onLogLine?: (line: string) => void
  /** Another build's entry point (an A/B against a `git worktree`); default the issuer's own. */
  script?: string
}

/**
 * The real issuer as a child process on 127.0.0.1, through the issuer's own launcher (so with the
 * node flags `pnpm start` uses: the bench measures the issuer as it is run), on a port chosen
 * before start because it is part of ISSUER_URL; retried if another process took it in between.
 */
export async function startIssuerProcess(opts: StartIssuerOptions): Promise<IssuerProcess> {
  let lastError: Error | undefined
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await spawnIssuer(
        { KEYS_DIR: opts.keysDir, DATABASE_URL: opts.databaseUrl, ...opts.env },
        {
          port: await freePort(),
          // It logs every request: the bench reads the pipe but keeps nothing it was not asked for.
          keepOutput: false,
          ...(opts.nodeFlags === undefined ? {} : { nodeFlags: opts.nodeFlags }),
          ...(opts.script === undefined ? {} : { script: opts.script }),
          ...(opts.onLogLine === undefined ? {} : { onLogLine: opts.onLogLine }),
        },
      )
    } catch (err) {
      lastError = err as Error
      if (!/EADDRINUSE/.test(lastError.message)) throw lastError
    }
  }
  throw lastError ?? new Error('issuer did not start')
}
