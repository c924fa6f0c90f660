import { errorCode, unavailableWhen } from '../unavailable-when.ts'

// better-sqlite3's codes for a file it cannot write or read now (full, read-only, locked past
// busy_timeout, I/O error, missing or damaged), extended codes included (SQLITE_IOERR_WRITE).
const CANNOT_SERVE = /^SQLITE_(FULL|READONLY|BUSY|LOCKED|IOERR|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/

/** Translates better-sqlite3's errors: those that mean the database cannot serve now become StoreError('unavailable'). */
export const sqliteUnavailable = unavailableWhen('SQLite', (err) => {
  const code = errorCode(err)
  if (code !== undefined && CANNOT_SERVE.test(code)) return code
  // Raised (as a TypeError) once the connection was closed.
  if (/database connection is not open/i.test(err.message)) return 'connection closed'
  return null
})
