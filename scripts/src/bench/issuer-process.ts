import { ISSUER_ENTRY, ISSUER_NODE_FLAGS } from '@tokensmith/issuer'
import { type ChildService, startChildService } from './child-service.ts'
import { freePort } from './free-port.ts'

export interface IssuerProcess extends ChildService {
  /** Base URL, also the issuer's `iss` (ISSUER_URL). */
  url: string
}

export interface StartIssuerOptions {
  /** KEYS_DIR; the issuer generates a first key there if it is empty. */
  keysDir: string
  /** DATABASE_URL, for example `sqlite:/tmp/x/issuer.db`. */
  databaseUrl: string
  /** Extra environment (REFRESH_GRACE, AUDIENCE, LOG_LEVEL, ...). */
  env?: Record<string, string>
  nodeFlags?: string[]
  onLogLine?: (line: string) => void
  /** Another build's entry point (an A/B against a `git worktree`); default the issuer's own entry (ISSUER_ENTRY). */
  script?: string
}

/** Starts the real issuer (`ISSUER_ENTRY`) as a child process on 127.0.0.1. */
export async function startIssuerProcess(opts: StartIssuerOptions): Promise<IssuerProcess> {
  // The port is chosen before start because it is part of ISSUER_URL (the `iss` claim and the
  // discovery URLs); retry if another process took it in between.
  let lastError: Error | undefined
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    try {
      const service = await startChildService({
        script: opts.script ?? ISSUER_ENTRY,
        env: {
          HOST: '127.0.0.1',
          PORT: String(port),
          ISSUER_URL: url,
          KEYS_DIR: opts.keysDir,
          DATABASE_URL: opts.databaseUrl,
          ...opts.env,
        },
        // The flags `pnpm start` uses, so the bench measures the issuer as it is run.
        nodeFlags: [...ISSUER_NODE_FLAGS, ...(opts.nodeFlags ?? [])],
        ...(opts.onLogLine ? { onLogLine: opts.onLogLine } : {}),
      })
      return { ...service, url }
    } catch (err) {
      lastError = err as Error
      if (!/EADDRINUSE/.test(lastError.message)) throw lastError
    }
  }
  throw lastError ?? new Error('issuer did not start')
}
