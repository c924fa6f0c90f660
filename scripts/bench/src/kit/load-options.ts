// The command-line options every issuer load benchmark takes (`pnpm bench issuer`, `pnpm bench ab`).
import { type LoadGenerator, loadGenerator } from './issuer-loads.ts'
import { intOption } from './parse-bench-args.ts'

/** `parseArgs` definitions, spread into a bench's own. */
export const LOAD_OPTIONS = {
  rounds: { type: 'string', default: '5' },
  duration: { type: 'string', default: '4' },
  connections: { type: 'string', default: '16' },
  load: { type: 'string' },
} as const

export interface LoadOptions {
  rounds: number
  durationSec: number
  connections: number
  load: LoadGenerator
}

/** Checks the parsed values. */
export function loadOptionsFrom(
  values: { rounds: string; duration: string; connections: string; load?: string | undefined },
  maxRounds: number,
): LoadOptions {
  return {
    rounds: intOption('rounds', values.rounds, 1, maxRounds),
    durationSec: intOption('duration', values.duration, 1, 30),
    connections: intOption('connections', values.connections, 1, 256),
    load: loadGenerator(values.load),
  }
}
