import type { ChildProcess } from 'node:child_process'

export interface CollectedOutput {
  /** The exit code; null when a signal ended it. */
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Everything a child process writes to stdout and stderr, once it has exited and its pipes have
 * closed (so nothing written just before the exit is lost). Rejects only when it cannot start.
 */
export function collectOutput(child: ChildProcess): Promise<CollectedOutput> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      stdout += s
    })
    child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr += s
    })
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}
