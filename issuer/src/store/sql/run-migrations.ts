// The migration logic both SQL stores share: refuse a database a newer issuer migrated, and the
// pending migrations in version order. Each store applies and records them inside its own
// transaction (SQLite's BEGIN IMMEDIATE, synchronously; PostgreSQL's, under an advisory lock).

export interface Migration {
  version: number
  name: string
}

/** The migrations `applied` lacks, in version order; throws when the database has one unknown here. */
export function pendingMigrations<M extends Migration>(known: readonly M[], applied: readonly number[]): M[] {
  const knownVersions = new Set(known.map((m) => m.version))
  const unknown = applied.filter((v) => !knownVersions.has(v))
  if (unknown.length > 0) {
    throw new Error(
      `database schema has migration ${Math.max(...unknown)}, newer than this issuer knows; upgrade the issuer`,
    )
  }
  const done = new Set(applied)
  return known.filter((m) => !done.has(m.version)).sort((a, b) => a.version - b.version)
}
