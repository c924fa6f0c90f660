import { ConfigError, PasswordError } from '@tokensmith/issuer/admin'
import { UsageError } from './usage-error.ts'

/**
 * Runs an operator CLI (`pnpm users`, `pnpm clients`) and turns what it throws into its exit
 * code and one `<cli>: <message>` line on stderr: 2 for a usage error (and for the issuer's
 * ConfigError and PasswordError, which name a bad variable or value), the usage after it when
 * the command line was malformed; `exitCodeOf` for the CLI's own cases; 1 for anything else.
 */
export function runAdminCommand(
  cli: string,
  usage: string,
  main: () => Promise<void>,
  exitCodeOf: (err: unknown) => number | null = () => null,
): void {
  main().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err)
    const own = exitCodeOf(err)
    if (own !== null) {
      process.stderr.write(`${cli}: ${message}\n`)
      process.exitCode = own
    } else if (err instanceof UsageError) {
      process.stderr.write(`${cli}: ${message}\n${err.showUsage ? `${usage}\n` : ''}`)
      process.exitCode = 2
    } else if (err instanceof PasswordError || err instanceof ConfigError) {
      process.stderr.write(`${cli}: ${message}\n`)
      process.exitCode = 2
    } else {
      process.stderr.write(`${cli}: ${message}\n`)
      process.exitCode = 1
    }
  })
}
