import { randomBytes } from 'node:crypto'
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { KeyError } from '../errors.ts'

/** The lock file every writing genkeys command holds while it reads and rewrites the manifest. */
export const KEYS_LOCK_FILE = '.genkeys.lock'
const BREAK_FILE = `${KEYS_LOCK_FILE}.break`

export const DEFAULT_LOCK_WAIT_MS = 30_000
/** Writing the manifest takes well under a second; a lock this old is left by a crash, whoever holds it. */
export const DEFAULT_LOCK_STALE_MS = 5 * 60_000
/** A lock file with no readable record yet is being written; older than this it was left half written. */
const UNREADABLE_STALE_MS = 5_000
/** The break file lives for one unlink; older than this its holder died in between. */
const BREAK_STALE_MS = 10_000

export interface KeysDirLockOptions {
  dir: string
  clock: () => number
  /** How long to wait for a lock held by a live process before giving up with `keys_locked`. */
  waitMs?: number
  /** Age after which any lock counts as stale. */
  staleMs?: number
  pollMs?: number
}

interface LockRecord {
  pid: number
  host: string
  at: number
  nonce: string
}

function parseRecord(text: string): LockRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<LockRecord>
    if (
      typeof r.pid === 'number' &&
      typeof r.host === 'string' &&
      typeof r.at === 'number' &&
      typeof r.nonce === 'string'
    )
      return r as LockRecord
  } catch {
    // half written: judged by the file's age
  }
  return undefined
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const isErrno = (err: unknown, code: string): boolean => (err as NodeJS.ErrnoException).code === code

async function readLock(path: string): Promise<{ text: string; mtimeMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(path, 'utf8'), stat(path)])
    return { text, mtimeMs: st.mtimeMs }
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined
    throw err
  }
}

/**
 * Runs `fn` holding an exclusive lock on the keys directory, so that genkeys run from cron on
 * every instance at once rotates once: the lock is a file created with O_EXCL (`wx`), which
 * exactly one process wins, also on a shared volume. A lock whose holder died (same host, pid
 * gone) or that is older than `staleMs` is broken; breaking goes through a second O_EXCL file so
 * two waiters cannot both break it and then remove each other's fresh lock.
 */
export async function withKeysDirLock<T>(opts: KeysDirLockOptions, fn: () => Promise<T>): Promise<T> {
  const waitMs = opts.waitMs ?? DEFAULT_LOCK_WAIT_MS
  const staleMs = opts.staleMs ?? DEFAULT_LOCK_STALE_MS
  const pollMs = opts.pollMs ?? 50
  const path = join(opts.dir, KEYS_LOCK_FILE)
  const breakPath = join(opts.dir, BREAK_FILE)
  const host = hostname()
  await mkdir(opts.dir, { recursive: true, mode: 0o700 })
  const mine: LockRecord = {
    pid: process.pid,
    host,
    at: opts.clock(),
    nonce: randomBytes(12).toString('hex'),
  }
  const mineText = JSON.stringify(mine)

  const stale = (held: { text: string; mtimeMs: number }, now: number): boolean => {
    const record = parseRecord(held.text)
    if (record === undefined) return now - held.mtimeMs > UNREADABLE_STALE_MS
    if (now - record.at > staleMs) return true
    return record.host === host && !processAlive(record.pid)
  }

  const breakStale = async (seen: string): Promise<void> => {
    try {
      await writeFile(breakPath, mineText, { flag: 'wx', mode: 0o600 })
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err
      const other = await readLock(breakPath)
      if (other !== undefined && opts.clock() - other.mtimeMs > BREAK_STALE_MS)
        await unlink(breakPath).catch(() => {})
      return
    }
    try {
      // Only the lock judged stale goes: a holder that took it meanwhile keeps it.
      const again = await readLock(path)
      if (again !== undefined && again.text === seen) await unlink(path)
    } finally {
      await unlink(breakPath).catch(() => {})
    }
  }

  const deadline = opts.clock() + waitMs
  for (;;) {
    try {
      await writeFile(path, mineText, { flag: 'wx', mode: 0o600 })
      break
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err
    }
    const held = await readLock(path)
    const now = opts.clock()
    if (held !== undefined && stale(held, now)) {
      await breakStale(held.text)
      continue
    }
    if (now >= deadline) {
      const record = held && parseRecord(held.text)
      const who = record
        ? `pid ${record.pid} on ${record.host} since ${new Date(record.at).toISOString()}`
        : 'another process'
      throw new KeyError(
        path,
        `is held by ${who}; another genkeys is running (try again), or remove the file if no genkeys runs`,
        'keys_locked',
      )
    }
    await sleep(pollMs)
  }

  try {
    return await fn()
  } finally {
    // Only our own lock: if it was broken as stale and retaken, the new holder keeps it.
    const held = await readLock(path).catch(() => undefined)
    if (held?.text === mineText) await unlink(path).catch(() => {})
  }
}
