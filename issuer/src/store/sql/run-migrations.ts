// The migration logic both SQL stores share: refuse a database a newer issuer migrated, then apply
// each pending migration in version order and record it. The store brings its driver specifics
// (SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory lock and schema) and runs this inside them.
// better-sqlite3 is synchronous and its transactions cannot span an await, pg is asynchronous:
// so this stays synchronous when the driver's steps are, and waits for them when they return promises.

export interface Migration {
  version: number
  name: string
}

/** The driver's two steps for one migration, inside the store's transaction. */
export interface MigrationSteps<M extends Migration, R extends void | Promise<void>> {
  /** Runs the migration's schema change. */
  apply(migration: M): R
  /** Records it in the store's schema_migrations table. */
  record(migration: M): R
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

/**
 * Applies and records each migration `applied` lacks, in order. Returns a promise only when the
 * steps do: synchronous steps run to the end before it returns.
 */
export function runMigrations<M extends Migration>(
  known: readonly M[],
  applied: readonly number[],
  steps: MigrationSteps<M, Promise<void>>,
): Promise<void>
export function runMigrations<M extends Migration>(
  known: readonly M[],
  applied: readonly number[],
  steps: MigrationSteps<M, void>,
): void
export function runMigrations<M extends Migration>(
  known: readonly M[],
  applied: readonly number[],
  steps: MigrationSteps<M, void | Promise<void>>,
): void | Promise<void> {
  const pending = pendingMigrations(known, applied)
  const from = (i: number): void | Promise<void> => {
    const m = pending[i]
    if (m === undefined) return
    return then(steps.apply(m), () => then(steps.record(m), () => from(i + 1)))
  }
  return from(0)
}

/** `next` after `value`: at once when it is not a promise, else once it settles. */
function then(value: void | Promise<void>, next: () => void | Promise<void>): void | Promise<void> {
  return value instanceof Promise ? value.then(next) : next()
}
