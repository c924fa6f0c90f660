// Runs one of the Python relying parties in ../python/ with Debian's interpreter (/usr/bin/python3,
// where python3-authlib and python3-requests-oauthlib are; the first python3 on PATH may be
// another build without them), playing the browser between its two lines of output: it prints
// `{"authorization_url": ...}`, the test walks the hosted pages and writes the URL the browser
// came back to on its stdin, and it prints its result as one JSON object.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const DEBIAN_PYTHON = '/usr/bin/python3'

export async function runPythonFlow(opts: {
  /** A file name in ../python/. */
  script: string
  env: Record<string, string>
  /** From the authorization URL to the callback URL the browser was sent to. */
  browse: (authorizationUrl: string) => Promise<string>
  timeoutMs?: number
}): Promise<{ authorizationUrl: string; result: Record<string, unknown> }> {
  const path = fileURLToPath(new URL(`../python/${opts.script}`, import.meta.url))
  const child = spawn(DEBIAN_PYTHON, [path], {
    // Only what the script needs, and nothing that would make its libraries relax a check.
    env: { PATH: '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s
  })
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15_000)
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    const next = async (): Promise<Record<string, unknown>> => {
      const line = await lines.next()
      if (line.done) throw new Error(`${opts.script} exited with ${await exited}:\n${stderr}`)
      return JSON.parse(line.value) as Record<string, unknown>
    }
    const { authorization_url: authorizationUrl } = await next()
    if (typeof authorizationUrl !== 'string') throw new Error(`${opts.script}: no authorization_url`)
    child.stdin.end(`${await opts.browse(authorizationUrl)}\n`)
    const result = await next()
    const code = await exited
    if (code !== 0) throw new Error(`${opts.script} exited with ${code}:\n${stderr}`)
    return { authorizationUrl, result }
  } finally {
    clearTimeout(timer)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  }
}
