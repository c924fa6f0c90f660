// The logging port: the domain names events and plain fields; the runtime decides where lines go
// (runtime/logger.ts, on pino). No field ever holds a token, password, secret or hash.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, string | number | boolean | null | undefined>

/** Structured events; the runtime writes them as JSON lines. */
export interface Logger {
  debug(event: string, fields?: LogFields): void
  info(event: string, fields?: LogFields): void
  warn(event: string, fields?: LogFields): void
  error(event: string, fields?: LogFields): void
  /** Security events (reuse detected, lockout) are always logged, at warn level, with `security: true`. */
  security(event: string, fields?: LogFields): void
}
