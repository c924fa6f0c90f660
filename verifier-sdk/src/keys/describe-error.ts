/** The message of a caught value, for a warning or a VerifyError detail (never token text). */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
