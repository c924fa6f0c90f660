// How every `pnpm bench <name>` reads its command line: node:util parseArgs, strict, plus --help.
import { type ParseArgsConfig, parseArgs } from 'node:util'

type OptionsConfig = NonNullable<ParseArgsConfig['options']>

const HELP = { help: { type: 'boolean', short: 'h' } } as const

type BenchArgs<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP; strict: true }>
>['values']

/** The parsed flags, or null after `--help` printed the usage; a bad flag throws with the usage. */
export function parseBenchArgs<const O extends OptionsConfig>(
  argv: string[],
  options: O,
  usage: string,
): BenchArgs<O> | null {
  const { values } = parseOrExplain({ args: argv, options: { ...options, ...HELP }, strict: true }, usage)
  if ((values as { help?: boolean }).help === true) {
    process.stdout.write(`${usage}\n`)
    return null
  }
  return values
}

function parseOrExplain<const T extends ParseArgsConfig>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${usage}`)
  }
}

/** A whole-number flag within bounds (no upper bound when `max` is left out). */
export function intOption(name: string, raw: string, min: number, max?: number): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
    const range = max === undefined ? `an integer >= ${min}` : `${min}..${max}`
    throw new Error(`--${name} must be ${range} (got ${raw})`)
  }
  return n
}
