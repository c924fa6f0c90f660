// The operator CLIs (`pnpm users`, `pnpm clients`) run as docs/oidc.md tells an operator to run
// them, so that each recipe's registration is the very command the guide prints, word for word.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { collectOutput } from '@tokensmith/issuer/testing'

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

/**
 * `pnpm <cli> <args>` (what the root package.json's script runs, minus the install bootstrap)
 * against the store in `databaseUrl`; its stdout, or an error with its stderr when it fails.
 */
export async function runAdminCli(
  cli: 'users' | 'clients',
  args: readonly string[],
  opts: { databaseUrl: string; stdin?: string; env?: Record<string, string> },
): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', `scripts/src/${cli}.ts`, ...args], {
    cwd: REPO_ROOT,
    // SCRYPT_LOG_N 10: the users CLI hashes cheaply, as the test issuers' own users are.
    env: { ...process.env, SCRYPT_LOG_N: '10', ...opts.env, DATABASE_URL: opts.databaseUrl },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 30_000,
  })
  const output = collectOutput(child)
  child.stdin.end(opts.stdin ?? '')
  const { code, stdout, stderr } = await output
  // The command line is safe to show (no secret is ever an argument); the output is not.
  if (code !== 0) throw new Error(`pnpm ${cli} ${args.join(' ')} failed (exit ${code}): ${stderr.trim()}`)
  return stdout
}

/**
 * The words of a command line as a POSIX shell splits it, for the simple lines docs/oidc.md shows:
 * blanks separate, double quotes group (no escapes, no variables), so a test can hold the very
 * line the guide prints.
 */
export function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '')
}

/**
 * `pnpm clients add <commandLine>`: answers the last line of stdout, which is the generated secret
 * (a client registered with keys has none: then it is the confirmation).
 */
export async function addClient(databaseUrl: string, commandLine: string): Promise<string> {
  const stdout = await runAdminCli('clients', ['add', ...shellWords(commandLine)], { databaseUrl })
  return stdout.trimEnd().split('\n').at(-1) ?? ''
}

/** `pnpm users add <commandLine> --password-stdin`, the password written to its stdin. */
export async function addUser(databaseUrl: string, commandLine: string, password: string): Promise<void> {
  await runAdminCli('users', ['add', ...shellWords(commandLine), '--password-stdin'], {
    databaseUrl,
    stdin: `${password}\n`,
  })
}
