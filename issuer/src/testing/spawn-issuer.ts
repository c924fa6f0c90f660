// Runs the real issuer (`issuer/src/runtime/main.ts`) as a child process, for multi-process and crash tests.
import { type ChildProcess, spawn } from 'node:child_process'
import { ISSUER_ENTRY } from '../runtime/issuer-entry.ts'
import { ISSUER_NODE_FLAGS } from '../runtime/node-flags.ts'

export interface SpawnedIssuer {
  url: string
  port: number
  proc: ChildProcess
  output: string[]
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>
  /** SIGKILL (a crash) and wait for exit. */
  crash(): Promise<void>
}

export async function spawnIssuer(env: Record<string, string>): Promise<SpawnedIssuer> {
  const proc = spawn(process.execPath, [...ISSUER_NODE_FLAGS, '--import', 'tsx', ISSUER_ENTRY], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => reject(new Error(`issuer did not start:\n${output.join('')}`)), 30_000)
    proc.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString())
      buffer += chunk.toString()
      const m = /"event":"listening".*?"port":(\d+)/.exec(buffer)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    })
    proc.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`issuer exited with ${code} before listening:\n${output.join('')}`))
    })
  })
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    proc,
    output,
    async stop() {
      proc.kill('SIGTERM')
      return exited
    },
    async crash() {
      proc.kill('SIGKILL')
      await exited
    },
  }
}
