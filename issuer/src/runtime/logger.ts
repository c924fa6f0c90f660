// Structured JSON-line logs. Callers pass event names and plain fields; by construction no
// field ever holds a token, password or hash (the auth service logs ids and codes only).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, string | number | boolean | null | undefined>

export interface Logger {
  debug(event: string, fields?: LogFields): void
  info(event: string, fields?: LogFields): void
  warn(event: string, fields?: LogFields): void
  error(event: string, fields?: LogFields): void
  /** Security events (reuse detected, lockout) are always logged, at warn level, with `security: true`. */
  security(event: string, fields?: LogFields): void
}

const RANK: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 }

export function createLogger(opts: {
  level: LogLevel | 'silent'
  write?: (line: string) => void
  clock?: () => number
}): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(line))
  const clock = opts.clock ?? Date.now
  const min = RANK[opts.level]
  const log = (level: LogLevel, event: string, fields: LogFields = {}, extra: LogFields = {}) => {
    if (RANK[level] < min) return
    write(`${JSON.stringify({ time: new Date(clock()).toISOString(), level, event, ...extra, ...fields })}\n`)
  }
  return {
    debug: (e, f) => log('debug', e, f),
    info: (e, f) => log('info', e, f),
    warn: (e, f) => log('warn', e, f),
    error: (e, f) => log('error', e, f),
    security: (e, f) => log('warn', e, f, { security: true }),
  }
}
