// The operator CLIs (`pnpm users`, `pnpm clients`) run as an operator runs them, so each recipe's
// registration is the very command docs/oidc.md prints, not a record written behind the CLI's back.
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
    env: { ...process.env, ...opts.env, DATABASE_URL: opts.databaseUrl },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 30_000,
  })
  const output = collectOutput(child)
  child.stdin.end(opts.stdin ?? '')
  const { code, stdout, stderr } = await output
  if (code !== 0) throw new Error(`pnpm ${cli} ${args.join(' ')} failed (exit ${code}): ${stderr.trim()}`)
  return stdout
}

/**
 * `pnpm clients add <commandLine>`, the words as docs/oidc.md prints them (none has a space);
 * its last line of stdout, which is a confidential client's secret.
 */
export async function addClient(databaseUrl: string, commandLine: string): Promise<string> {
  const args = ['add', ...commandLine.trim().split(/\s+/)]
  const stdout = await runAdminCli('clients', args, { databaseUrl })
  return stdout.trimEnd().split('\n').at(-1) ?? ''
}
