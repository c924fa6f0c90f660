// Starts a Node service (the issuer, or a bench peer) as a child process and waits for its
// `{"event":"listening","port":N}` log line: the one launcher tests and the bench share.
import { type ChildProcessByStdio, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { basename } from 'node:path'
import type { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'

export interface SpawnServiceOptions {
  /** A TypeScript (or JavaScript) entry point, run under `node --import tsx`. */
  script: string
  /** Arguments after the script. */
  args?: readonly string[]
  /** Laid over this process's environment. */
  env?: Record<string, string>
  /** Node flags before `--import tsx`, for example ['--cpu-prof', '--cpu-prof-dir', dir]. */
  nodeFlags?: readonly string[]
  /** Receives every stdout line after start-up. */
  onLogLine?: (line: string) => void
  /**
   * Keep stdout and stderr in `output` after start-up (default true). A load run against a service
   * that logs every request sets false, or the record grows for as long as the run lasts.
   */
  keepOutput?: boolean
  /** In `Error` messages; default the script's file name. */
  name?: string
  startTimeoutMs?: number
}

export interface SpawnedService {
  pid: number
  /** The port from the `listening` log line. */
  port: number
  proc: ChildProcessByStdio<null, Readable, Readable>
  /** stdout and stderr as they came: up to start-up always, afterwards unless `keepOutput` is false. */
  output: string[]
  /** SIGTERM (graceful drain), SIGKILL if still running after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>
  /** SIGKILL (a crash), and wait for exit. */
  crash(): Promise<void>
}

// The issuer forces its own exit 10 s after SIGTERM; this only catches a child that hangs.
const DEFAULT_GRACE_MS = 15_000

// By absolute URL, so the child starts whatever the caller's working directory.
const tsxLoader = (): string => pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

export function spawnService(opts: SpawnServiceOptions): Promise<SpawnedService> {
  const name = opts.name ?? basename(opts.script)
  const timeoutMs = opts.startTimeoutMs ?? 30_000
  const argv = [...(opts.nodeFlags ?? []), '--import', tsxLoader(), opts.script, ...(opts.args ?? [])]
  const proc = spawn(process.execPath, argv, {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  let recording = true
  const record = (chunk: string) => {
    if (recording) output.push(chunk)
  }
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  const stop = async (graceMs = DEFAULT_GRACE_MS): Promise<number | null> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs)
      const code = await exited
      clearTimeout(timer)
      return code
    }
    return exited
  }
  const crash = async (): Promise<void> => {
    proc.kill('SIGKILL')
    await exited
  }
  proc.stderr.setEncoding('utf8').on('data', record)
  proc.stdout.setEncoding('utf8')

  return new Promise((resolve, reject) => {
    let pending = ''
    let started = false
    const timer = setTimeout(() => {
      void stop(1000)
      reject(new Error(`${name} did not log "listening" within ${timeoutMs} ms:\n${output.join('')}`))
    }, timeoutMs)
    // 'close', not 'exit': by then every byte it wrote has been read, so the message has the reason.
    const onClose = () => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with ${proc.exitCode} before listening:\n${output.join('')}`))
    }
    proc.once('close', onClose)
    proc.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    proc.stdout.on('data', (chunk: string) => {
      record(chunk)
      pending += chunk
      // A service that logs per request is read for the whole run (a full pipe would stall it),
      // but split into lines only while someone wants them.
      if (started && opts.onLogLine === undefined) {
        pending = ''
        return
      }
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
        recording = opts.keepOutput ?? true
        clearTimeout(timer)
        proc.off('close', onClose)
        resolve({ pid: proc.pid ?? -1, port, proc, output, stop, crash })
      }
    })
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
