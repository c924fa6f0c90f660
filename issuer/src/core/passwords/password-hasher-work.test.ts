// Counts the scrypt calls behind each answer: the unknown-user and unreadable-hash paths must do
// the same work as a wrong password (one scrypt at the current cost), and an oversized password
// none. This checks the work done, not the time taken, so it is not flaky on a busy machine.
import * as crypto from 'node:crypto'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPasswordHasher } from './password-hasher.ts'

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>()
  return { ...real, scrypt: vi.fn(real.scrypt) }
})
const scrypt = vi.mocked(crypto.scrypt)

beforeEach(() => {
  scrypt.mockClear()
})

function calls(): { N: number | undefined; r: number | undefined; p: number | undefined; keylen: number }[] {
  return scrypt.mock.calls.map((c) => {
    const opts = c[3] as crypto.ScryptOptions
    return { N: opts.N, r: opts.r, p: opts.p, keylen: c[2] }
  })
}

describe('password hasher work', () => {
  const current = { N: 2048, r: 8, p: 1, keylen: 32 }

  it('does one scrypt at the current cost for a wrong password, an unknown user and a bad hash', async () => {
    const hasher = createPasswordHasher({ cost: { logN: 11, r: 8, p: 1 } })
    const encoded = await hasher.hash('pw')
    scrypt.mockClear()
    await hasher.verify('wrong', encoded)
    await hasher.verify('wrong', null)
    await hasher.verify('wrong', '$scrypt$garbage')
    await hasher.verify('wrong', null)
    expect(calls()).toEqual([current, current, current, current])
  })

  it('passes an explicit maxmem to every call', async () => {
    const hasher = createPasswordHasher()
    await hasher.verify('pw', null)
    const opts = scrypt.mock.calls[0]?.[3] as crypto.ScryptOptions
    expect(opts.maxmem).toBeGreaterThanOrEqual(128 * 2 ** 15 * 8)
  })

  it('does no scrypt at all for an oversized password', async () => {
    const hasher = createPasswordHasher({ cost: { logN: 11, r: 8, p: 1 } })
    await expect(hasher.verify('x'.repeat(2000), null)).rejects.toThrow()
    await expect(hasher.hash('x'.repeat(2000))).rejects.toThrow()
    expect(scrypt).not.toHaveBeenCalled()
  })
})
