import { type ChildProcessByStdio, spawn } from 'node:child_process'
import type { Readable } from 'node:stream'
import { REPO_ROOT } from './repo-root.ts'

export interface ChildService {
  pid: number
  /** The port from the `listening` log line. */
  port: number
  /** SIGTERM (graceful drain), then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>
}

export interface ChildServiceOptions {
  /** A TypeScript entry point, absolute or relative to the workspace root. */
  script: string
  env?: Record<string, string>
  /** Node flags before `--import tsx`, for example ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeFlags?: string[]
  /** Receives every stdout line after start-up; without it they are read and dropped. */
  onLogLine?: (line: string) => void
  startTimeoutMs?: number
}

type Child = ChildProcessByStdio<null, Readable, Readable>

/**
 * Starts a Node service as a child process and resolves once it prints the JSON log line
 * `{"event":"listening","port":N,...}` on stdout (the issuer's convention). Its stdout is drained
 * for the whole run: a service that logs per request would stall on a full pipe.
 */
export function startChildService(opts: ChildServiceOptions): Promise<ChildService> {
  const timeoutMs = opts.startTimeoutMs ?? 30_000
  const child: Child = spawn(process.execPath, [...(opts.nodeFlags ?? []), '--import', 'tsx', opts.script], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
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
    let started = false
    const timer = setTimeout(() => {
      void stop(1000)
      reject(new Error(`${opts.script} did not log "listening" within ${timeoutMs} ms: ${stderr.trim()}`))
    }, timeoutMs)
    const onExit = (code: number | null) => {
      clearTimeout(timer)
      reject(new Error(`${opts.script} exited (${code}) before listening: ${stderr.trim()}`))
    }
    child.once('exit', onExit)
    child.stdout.setEncoding('utf8')
    const onData = (chunk: string) => {
      pending += chunk
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        if (started) {
          opts.onLogLine?.(line)
          continue
        }
        const port = listeningPort(line)
        if (port === null) continue
        started = true
        clearTimeout(timer)
        child.off('exit', onExit)
        resolve({ pid: child.pid ?? -1, port, stop })
        if (opts.onLogLine === undefined) {
          // Nobody wants the lines: stop splitting them, just keep the pipe flowing.
          child.stdout.off('data', onData)
          child.stdout.resume()
          return
        }
      }
    }
    child.stdout.on('data', onData)
  })
}

function listeningPort(line: string): number | null {
  try {
    const parsed = JSON.parse(line) as { event?: unknown; port?: unknown }
    return parsed.event === 'listening' && typeof parsed.port === 'number' ? parsed.port : null
  } catch {
    return null
  }
}
