// Structured JSON-line logs on pino. Callers pass event names and plain fields; by construction
// no field ever holds a token, password or hash (the auth service logs ids and codes only), and
// fields named like a secret are redacted all the same, as a second line of defence.
import { pino } from 'pino'

import type { LogFields, Logger, LogLevel } from '../core/logger.ts'

export type { LogFields, Logger, LogLevel }

/** What a redacted value reads as. */
export const REDACTED = '[redacted]'

// Field names that would hold a secret: redacted at the top level, and one level down.
const SECRET_FIELDS = [
  'token',
  'refreshToken',
  'refresh_token',
  'accessToken',
  'access_token',
  'idToken',
  'id_token',
  'password',
  'passwordHash',
  'password_hash',
  'hash',
  'secret',
  'clientSecret',
  'client_secret',
  'privateKey',
  'authorization',
  'cookie',
  '["set-cookie"]',
]
const ONE_LEVEL_DOWN = SECRET_FIELDS.map((f) => (f.startsWith('[') ? `*${f}` : `*.${f}`))

/** True when a field holds an object (the type says none does; a cast could make one). */
function hasNestedField(fields: LogFields | undefined): boolean {
  for (const key in fields) {
    const value: unknown = fields[key]
    if (typeof value === 'object' && value !== null) return true
  }
  return false
}

/**
 * One JSON object per line: `time` (ISO 8601), `level` (its name), `event`, then the fields.
 * `write` receives whole lines (stdout by default; the issuer process passes a batched writer).
 */
export function createLogger(opts: {
  level: LogLevel | 'silent'
  write?: (line: string) => void
  clock?: () => number
}): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(line))
  const clock = opts.clock ?? Date.now
  const destination = { write }
  const withRedaction = (paths: string[]) =>
    pino(
      {
        level: opts.level,
        base: null, // no pid or hostname: the process manager knows both
        timestamp: () => `,"time":"${new Date(clock()).toISOString()}"`,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths, censor: REDACTED },
      },
      destination,
    )
  // pino redacts top-level names at no measurable cost, but wildcard paths cost it several times
  // the rest of the line on every call: only lines with a nested field go through them.
  const flat = withRedaction(SECRET_FIELDS)
  const deep = withRedaction([...SECRET_FIELDS, ...ONE_LEVEL_DOWN])
  const to = (fields: LogFields | undefined) => (hasNestedField(fields) ? deep : flat)
  return {
    debug: (event, fields) => to(fields).debug({ event, ...fields }),
    info: (event, fields) => to(fields).info({ event, ...fields }),
    warn: (event, fields) => to(fields).warn({ event, ...fields }),
    error: (event, fields) => to(fields).error({ event, ...fields }),
    security: (event, fields) => to(fields).warn({ event, security: true, ...fields }),
  }
}
