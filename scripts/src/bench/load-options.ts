// The command-line options every issuer load benchmark takes (`pnpm bench issuer`, `pnpm bench ab`).
import { type LoadGenerator, loadGenerator } from './issuer-loads.ts'

/** `parseArgs` definitions, spread into a bench's own. */
export const LOAD_OPTIONS = {
  rounds: { type: 'string', default: '5' },
  duration: { type: 'string', default: '4' },
  connections: { type: 'string', default: '16' },
  load: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export interface LoadOptions {
  rounds: number
  durationSec: number
  connections: number
  load: LoadGenerator
}

function int(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be ${min}..${max} (got ${raw})`)
  return n
}

/** Checks the parsed values; `--help` prints the usage and exits. */
export function loadOptionsFrom(
  values: {
    rounds: string
    duration: string
    connections: string
    load?: string | undefined
    help?: boolean | undefined
  },
  usage: string,
  maxRounds: number,
): LoadOptions {
  if (values.help) {
    process.stdout.write(`${usage}\n`)
    process.exit(0)
  }
  return {
    rounds: int('rounds', values.rounds, 1, maxRounds),
    durationSec: int('duration', values.duration, 1, 30),
    connections: int('connections', values.connections, 1, 256),
    load: loadGenerator(values.load),
  }
}
