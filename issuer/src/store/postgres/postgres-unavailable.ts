import { errorCode, NETWORK_ERRNOS, unavailableWhen } from '../unavailable-when.ts'

// SQLSTATE classes 08 connection exception, 53 insufficient resources, 57 operator intervention
// (e.g. 57P01 admin shutdown, 57014 a query cancelled by statement_timeout).
const SQLSTATE = /^(08|53|57)[0-9A-Z]{3}$/

/** Translates pg's errors: those that mean the server cannot serve now become StoreError('unavailable'). */
export const postgresUnavailable = unavailableWhen('PostgreSQL', (err) => {
  const code = errorCode(err)
  if (code !== undefined && (SQLSTATE.test(code) || NETWORK_ERRNOS.has(code))) return code
  // pg's own messages, which carry no code: a connection lost mid-query, the pool's connect timeout.
  if (/connection terminated/i.test(err.message)) return 'connection terminated'
  if (/timeout exceeded when trying to connect/i.test(err.message)) return 'connect timeout'
  return null
})
