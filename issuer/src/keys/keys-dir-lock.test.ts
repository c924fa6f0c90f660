import { spawnSync } from 'node:child_process'
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KeyError } from '../errors.ts'
import { KEYS_LOCK_FILE, withKeysDirLock } from './keys-dir-lock.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-lock-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const lockPath = () => join(dir, KEYS_LOCK_FILE)
const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  )
/** A pid that is not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(child.stdout.toString())
}
const record = (pid: number, at: number, host = hostname()) =>
  JSON.stringify({ pid, host, at, nonce: 'someone-else' })

describe('withKeysDirLock', () => {
  it('runs callers one at a time and removes its lock file afterwards', async () => {
    let inside = 0
    let most = 0
    const order: number[] = []
    await Promise.all(
      [1, 2, 3].map((n) =>
        withKeysDirLock({ dir, clock: Date.now }, async () => {
          inside++
          most = Math.max(most, inside)
          await new Promise((r) => setTimeout(r, 30))
          order.push(n)
          inside--
        }),
      ),
    )
    expect(most).toBe(1)
    expect(order).toHaveLength(3)
    expect(await exists(lockPath())).toBe(false)
  })

  it('breaks a lock whose process is gone, on this host', async () => {
    await writeFile(lockPath(), record(deadPid(), Date.now()))
    expect(await withKeysDirLock({ dir, clock: Date.now, waitMs: 500 }, async () => 'ran')).toBe('ran')
  })

  it('breaks a lock older than staleMs, even from a live process on another host', async () => {
    const now = Date.now()
    await writeFile(lockPath(), record(process.pid, now - 10 * 60_000, 'elsewhere'))
    expect(await withKeysDirLock({ dir, clock: Date.now, waitMs: 500 }, async () => 'ran')).toBe('ran')
  })

  it('waits for a live holder, then gives up with keys_locked naming it, and leaves its lock alone', async () => {
    const held = record(process.pid, Date.now(), 'elsewhere')
    await writeFile(lockPath(), held)
    const err = await withKeysDirLock({ dir, clock: Date.now, waitMs: 200 }, async () => 'ran').catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(KeyError)
    expect((err as KeyError).code).toBe('keys_locked')
    expect((err as KeyError).message).toMatch(new RegExp(`held by pid ${process.pid} on elsewhere`))
    expect(await readFile(lockPath(), 'utf8')).toBe(held)
  })

  it('does not remove a lock another process took after breaking its own as stale', async () => {
    const theirs = record(process.pid, Date.now(), 'elsewhere')
    await withKeysDirLock({ dir, clock: Date.now }, async () => {
      await writeFile(lockPath(), theirs) // ours was broken and retaken meanwhile
    })
    expect(await readFile(lockPath(), 'utf8')).toBe(theirs)
  })

  it('releases the lock when the work throws', async () => {
    await expect(
      withKeysDirLock({ dir, clock: Date.now }, async () => {
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await exists(lockPath())).toBe(false)
  })
})
