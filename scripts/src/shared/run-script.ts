import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type CollectedOutput, collectOutput } from '@tokensmith/issuer/testing'

export type ScriptResult = CollectedOutput

// The workspace root: the scripts run there so `--import tsx` resolves from its node_modules.
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Runs one of the workspace's operator scripts (`scripts/src/<name>.ts`) the way `pnpm <name>`
 * does, with extra environment and optional stdin. The demo and the bench (`@tokensmith/bench`,
 * through this package's `./run-script` entry point) go through the same commands an operator
 * types, rather than reaching into the store.
 */
export function runScript(
  name: string,
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {},
): Promise<ScriptResult> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL(`../${name}.ts`, import.meta.url)), ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 60_000,
    },
  )
  const output = collectOutput(child)
  child.stdin.end(opts.stdin ?? '')
  return output
}

/** `pnpm users add <username> --role ... --password-stdin` against the given store. */
export async function addUser(opts: {
  databaseUrl: string
  username: string
  password: string
  roles: string[]
  scryptLogN?: number
}): Promise<void> {
  const env: Record<string, string> = { DATABASE_URL: opts.databaseUrl }
  if (opts.scryptLogN !== undefined) env.SCRYPT_LOG_N = String(opts.scryptLogN)
  const roleArgs = opts.roles.flatMap((r) => ['--role', r])
  const result = await runScript('users', ['add', opts.username, ...roleArgs, '--password-stdin'], {
    env,
    stdin: `${opts.password}\n`,
  })
  if (result.code !== 0) {
    throw new Error(`pnpm users add ${opts.username} failed (exit ${result.code}): ${result.stderr.trim()}`)
  }
}

/**
 * `pnpm clients add <id> <args>` against the given store; the client's secret (the last line of
 * stdout) when the CLI generated one, else null.
 */
export async function addClient(opts: {
  databaseUrl: string
  id: string
  args: string[]
}): Promise<string | null> {
  const result = await runScript('clients', ['add', opts.id, ...opts.args], {
    env: { DATABASE_URL: opts.databaseUrl },
  })
  if (result.code !== 0) {
    throw new Error(`pnpm clients add ${opts.id} failed (exit ${result.code}): ${result.stderr.trim()}`)
  }
  const last = result.stdout.trimEnd().split('\n').at(-1) ?? ''
  return last.startsWith('cs_') ? last : null
}

/** `pnpm genkeys` into the given directory: the first key, current at once. */
export async function generateKeys(keysDir: string): Promise<void> {
  const result = await runScript('genkeys', [], { env: { KEYS_DIR: keysDir } })
  if (result.code !== 0) {
    throw new Error(`pnpm genkeys failed (exit ${result.code}): ${result.stderr.trim()}`)
  }
}
