import { type ChildProcessByStdio, spawn } from 'node:child_process'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { freePort } from './free-port.ts'
import { REPO_ROOT } from './repo-root.ts'

export interface IssuerProcess {
  /** Base URL, also the issuer's `iss` (ISSUER_URL). */
  url: string
  port: number
  pid: number
  /** SIGTERM (graceful drain), then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>
}

export interface StartIssuerOptions {
  /** KEYS_DIR; the issuer generates a first key there if it is empty. */
  keysDir: string
  /** DATABASE_URL, for example `sqlite:/tmp/x/issuer.db`. */
  databaseUrl: string
  /** Extra environment (REFRESH_GRACE, AUDIENCE, LOG_LEVEL, ...). */
  env?: Record<string, string>
  /** Extra node flags, for example ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeFlags?: string[]
  /** Receives every stdout log line after start-up; without it they are read and dropped. */
  onLogLine?: (line: string) => void
  startTimeoutMs?: number
}

type IssuerChild = ChildProcessByStdio<null, Readable, Readable>

/**
 * Starts the real issuer (`issuer/src/main.ts`) as a child process on 127.0.0.1 and resolves
 * once it logs `listening`. Its stdout must be drained for the whole run: it logs a line per
 * request, and a full pipe would stall it.
 */
export async function startIssuerProcess(opts: StartIssuerOptions): Promise<IssuerProcess> {
  // The port is chosen before start (it is part of ISSUER_URL); retry if another process took it.
  let lastError: Error | undefined
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts, await freePort())
    } catch (err) {
      lastError = err as Error
      if (!/EADDRINUSE/.test(lastError.message)) throw lastError
    }
  }
  throw lastError ?? new Error('issuer did not start')
}

function startOnce(opts: StartIssuerOptions, port: number): Promise<IssuerProcess> {
  const url = `http://127.0.0.1:${port}`
  const child: IssuerChild = spawn(
    process.execPath,
    [...(opts.nodeFlags ?? []), '--import', 'tsx', join(REPO_ROOT, 'issuer/src/main.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        ISSUER_URL: url,
        KEYS_DIR: opts.keysDir,
        DATABASE_URL: opts.databaseUrl,
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  const stop = async (graceMs = 10_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(timer)
  }

  return new Promise((resolve, reject) => {
    let pending = ''
    let listening = false
    const timer = setTimeout(() => {
      void stop(1000)
      reject(
        new Error(`issuer did not log "listening" within ${opts.startTimeoutMs ?? 30_000} ms: ${stderr}`),
      )
    }, opts.startTimeoutMs ?? 30_000)
    const onExit = (code: number | null) => {
      clearTimeout(timer)
      reject(new Error(`issuer exited (${code}) before listening: ${stderr.trim()}`))
    }
    child.once('exit', onExit)
    child.stdout.setEncoding('utf8')
    const onData = (chunk: string) => {
      pending += chunk
      let nl = pending.indexOf('\n')
      while (nl >= 0) {
        const line = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        nl = pending.indexOf('\n')
        if (listening) {
          opts.onLogLine?.(line)
          continue
        }
        if (isListening(line)) {
          listening = true
          clearTimeout(timer)
          child.off('exit', onExit)
          if (opts.onLogLine === undefined) {
            // Nobody wants the lines: stop splitting them, just keep the pipe flowing.
            child.stdout.off('data', onData)
            child.stdout.resume()
            pending = ''
          }
          resolve({ url, port, pid: child.pid ?? -1, stop })
          if (opts.onLogLine === undefined) return
        }
      }
    }
    child.stdout.on('data', onData)
  })
}

function isListening(line: string): boolean {
  try {
    const parsed = JSON.parse(line) as { event?: unknown }
    return parsed.event === 'listening'
  } catch {
    return false
  }
}
