// Debian's Apache as a test peer: one foreground process (-DFOREGROUND, so it is this test's
// child and dies with a signal) with a ServerRoot of its own in a temporary directory: its own
// configuration, pid file, mutexes and error log, listening only on 127.0.0.1, loading only the
// modules the test names. Nothing of /etc/apache2 is read, and no system service is touched.
import { type ChildProcess, spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const APACHE_BIN = '/usr/sbin/apache2'
const MODULES_DIR = '/usr/lib/apache2/modules'

export interface ApacheOptions {
  /** Module names as in their file names: `headers` is mod_headers.so (mpm_event is always loaded). */
  modules: readonly string[]
  /** Ports on 127.0.0.1 to listen on; the first is the default server's. */
  ports: readonly number[]
  /** The rest of the configuration (directives, <VirtualHost>, <Location>); `%ROOT%` is the ServerRoot. */
  config: string
  /** Files under the ServerRoot (`htdocs/protected/index.html`), readable by Apache's workers. */
  files?: Record<string, string>
}

export interface ApacheServer {
  /** The ServerRoot: give tests' files (a CA bundle) a home here so the workers can read them. */
  root: string
  /** Its error log so far: the first thing to read when a step fails. */
  errorLog(): Promise<string>
  /** SIGTERM, wait for the exit, remove the ServerRoot. */
  stop(): Promise<void>
}

// Few threads: a test sends a handful of requests, and the machine's two cores are shared.
const MPM = `StartServers 1
ServerLimit 1
ThreadsPerChild 4
MaxRequestWorkers 4
MinSpareThreads 1
MaxSpareThreads 4`

export async function startApache(opts: ApacheOptions): Promise<ApacheServer> {
  const root = await mkdtemp(join(tmpdir(), 'tokensmith-apache-'))
  // Started as root, Apache serves from www-data workers: they must reach the ServerRoot's files.
  // The configuration itself (client secrets) is read by the root parent only: 0600.
  await chmod(root, 0o755)
  for (const [path, text] of Object.entries({ 'htdocs/.keep': '', ...opts.files })) {
    const file = join(root, path)
    await mkdir(join(file, '..'), { recursive: true, mode: 0o755 })
    await writeFile(file, text, { mode: 0o644 })
  }
  const conf = [
    `ServerRoot ${root}`,
    'ServerName 127.0.0.1',
    ...opts.ports.map((p) => `Listen 127.0.0.1:${p}`),
    `PidFile ${root}/httpd.pid`,
    `DefaultRuntimeDir ${root}`,
    `Mutex file:${root} default`,
    `ErrorLog ${root}/error.log`,
    'LogLevel warn',
    // Ignored unless started as root; then the workers drop to Debian's Apache user.
    'User www-data',
    'Group www-data',
    `DocumentRoot ${root}/htdocs`,
    ...['mpm_event', ...opts.modules].map((m) => `LoadModule ${m}_module ${MODULES_DIR}/mod_${m}.so`),
    MPM,
    opts.config.replaceAll('%ROOT%', root),
  ].join('\n')
  const confFile = join(root, 'httpd.conf')
  await writeFile(confFile, `${conf}\n`, { mode: 0o600 })

  const proc = spawn(APACHE_BIN, ['-d', root, '-f', confFile, '-DFOREGROUND'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  proc.stdout.setEncoding('utf8').on('data', (s: string) => {
    output += s
  })
  proc.stderr.setEncoding('utf8').on('data', (s: string) => {
    output += s
  })
  const errorLog = () => readFile(join(root, 'error.log'), 'utf8').catch(() => '')
  const server: ApacheServer = {
    root,
    errorLog,
    async stop() {
      await stopProcess(proc)
      await rm(root, { recursive: true, force: true })
    },
  }
  try {
    for (const port of opts.ports) await waitForPort(port, proc, 10_000)
  } catch (err) {
    await server.stop()
    throw new Error(`apache2 did not start: ${(err as Error).message}\n${output}`)
  }
  return server
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  proc.kill('SIGTERM')
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

async function waitForPort(port: number, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`port ${port} not open after ${timeoutMs} ms`)
}
