// Shared set-up for the fault and load tests: a data directory with a key and one user, a JSON
// client that never throws on an HTTP status, the invariants read straight from the SQLite file,
// and the figures of a running issuer process taken from /proc.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { seedIssuerData } from './seed-issuer-data.ts'

export const LOAD_USER = 'loader'
export const LOAD_PASSWORD = 'pw-loader-reliability-123'

export interface DataDir {
  dir: string
  dbPath: string
  env: Record<string, string>
}

/** A fresh directory holding a signing key and a migrated database with one user. */
export async function prepareDataDir(extraEnv: Record<string, string> = {}): Promise<DataDir> {
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-reliability-'))
  const dbPath = join(dir, 'issuer.db')
  await seedIssuerData({
    keysDir: join(dir, 'keys'),
    databaseUrl: `sqlite:${dbPath}`,
    users: [{ username: LOAD_USER, password: LOAD_PASSWORD, roles: ['user'] }],
  })
  return {
    dir,
    dbPath,
    env: {
      KEYS_DIR: join(dir, 'keys'),
      DATABASE_URL: `sqlite:${dbPath}`,
      SCRYPT_LOG_N: '10',
      ISSUER_URL: 'http://issuer.test',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
      ...extraEnv,
    },
  }
}

export interface JsonAnswer {
  status: number
  body: Record<string, unknown>
  headers: Headers
}

/** POSTs JSON; network failures reject, HTTP statuses do not. */
export async function postJson(url: string, body: unknown): Promise<JsonAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers }
}

export const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex')

export interface DbFindings {
  integrity: string
  sessions: number
  revokedSessions: number
  /** Sessions with more than one unconsumed token: a duplicated successor. */
  doubleLive: string[]
  /** Two tokens of one session at the same generation: a forked chain. */
  forkedGenerations: number
  /** Live (not revoked) sessions without any unconsumed token: a lost session. */
  liveWithoutToken: string[]
}

/** Reads the rotation invariants from the file itself, not through the issuer. */
export function inspectDatabase(dbPath: string): DbFindings {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true })
  try {
    const all = <T>(sql: string) => db.prepare(sql).all() as T[]
    return {
      integrity: String(db.pragma('integrity_check', { simple: true })),
      sessions: (db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n,
      revokedSessions: (
        db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE revoked_at IS NOT NULL').get() as { n: number }
      ).n,
      doubleLive: all<{ session_id: string }>(
        `SELECT session_id FROM refresh_tokens WHERE consumed_at IS NULL
         GROUP BY session_id HAVING COUNT(*) > 1`,
      ).map((r) => r.session_id),
      forkedGenerations: all<{ n: number }>(
        `SELECT COUNT(*) AS n FROM refresh_tokens GROUP BY session_id, generation HAVING COUNT(*) > 1`,
      ).length,
      liveWithoutToken: all<{ id: string }>(
        `SELECT s.id FROM sessions s WHERE s.revoked_at IS NULL AND NOT EXISTS
           (SELECT 1 FROM refresh_tokens t WHERE t.session_id = s.id AND t.consumed_at IS NULL)`,
      ).map((r) => r.id),
    }
  } finally {
    db.close()
  }
}

/** Resident memory (KiB) and open descriptors of a process, from /proc (Linux). */
export function processFigures(pid: number): { rssKiB: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rss = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]
  return { rssKiB: Number(rss ?? Number.NaN), fds: readdirSync(`/proc/${pid}/fd`).length }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
