import { describe, expect, it } from 'vitest'
import type { RotateInput, RotateResult } from '../core/store.ts'
import { createRotationBatcher } from './rotation-batcher.ts'

const input = (tokenHash: string): RotateInput => ({
  tokenHash,
  clientId: null,
  now: 1_000,
  graceMs: 0,
  successor: { hash: `${tokenHash}-next`, idleExpiresAt: 2_000, sealed: 'sealed' },
})
const answer = (i: RotateInput): RotateResult => ({
  kind: 'invalid',
  reason: 'unknown',
  ...{ for: i.tokenHash },
})

/** A store whose calls stay open until the test settles them, recording what each carried. */
function heldStore() {
  const calls: { hashes: string[]; settle(): void; fail(err: Error): void }[] = []
  const hold = <T>(inputs: readonly RotateInput[], value: () => T) =>
    new Promise<T>((resolve, reject) => {
      calls.push({
        hashes: inputs.map((i) => i.tokenHash),
        settle: () => resolve(value()),
        fail: reject,
      })
    })
  return {
    calls,
    rotateOne: (i: RotateInput) => hold([i], () => answer(i)),
    rotateMany: (inputs: readonly RotateInput[]) =>
      hold(inputs, () =>
        inputs.map((i): PromiseSettledResult<RotateResult> => ({ status: 'fulfilled', value: answer(i) })),
      ),
  }
}

const turn = () => new Promise((r) => setImmediate(r))

describe('createRotationBatcher (group commit of a server store)', () => {
  it('sends a rotation on an idle store alone, at the end of the turn it arrived in', async () => {
    const store = heldStore()
    const batcher = createRotationBatcher({ ...store, maxInFlight: 2, maxBatch: 64 })
    const result = batcher.rotate(input('a'))
    expect(store.calls).toHaveLength(0)
    await turn()
    expect(store.calls.map((c) => c.hashes)).toEqual([['a']])
    store.calls[0]!.settle()
    await expect(result).resolves.toMatchObject({ kind: 'invalid', for: 'a' })
  })

  it("sends one turn's rotations together, in the order they arrived", async () => {
    const store = heldStore()
    const batcher = createRotationBatcher({ ...store, maxInFlight: 2, maxBatch: 64 })
    const results = ['a', 'b', 'c'].map((h) => batcher.rotate(input(h)))
    await turn()
    expect(store.calls.map((c) => c.hashes)).toEqual([['a', 'b', 'c']])
    store.calls[0]!.settle()
    expect((await Promise.all(results)).map((r) => (r as unknown as { for: string }).for)).toEqual([
      'a',
      'b',
      'c',
    ])
  })

  it('holds rotations while every call is busy and sends them as the next call when one returns', async () => {
    const store = heldStore()
    const batcher = createRotationBatcher({ ...store, maxInFlight: 1, maxBatch: 64 })
    const first = batcher.rotate(input('a'))
    await turn()
    const later = ['b', 'c', 'd'].map((h) => batcher.rotate(input(h)))
    await turn()
    await turn()
    // Nothing more is sent while the one call allowed is open.
    expect(store.calls.map((c) => c.hashes)).toEqual([['a']])
    store.calls[0]!.settle()
    await first
    await turn()
    expect(store.calls.map((c) => c.hashes)).toEqual([['a'], ['b', 'c', 'd']])
    store.calls[1]!.settle()
    await Promise.all(later)
  })

  it('splits a queue longer than maxBatch over several calls, within maxInFlight', async () => {
    const store = heldStore()
    const batcher = createRotationBatcher({ ...store, maxInFlight: 2, maxBatch: 2 })
    const results = ['a', 'b', 'c', 'd', 'e'].map((h) => batcher.rotate(input(h)))
    await turn()
    expect(store.calls.map((c) => c.hashes)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ])
    store.calls[0]!.settle()
    await turn()
    expect(store.calls.map((c) => c.hashes)[2]).toEqual(['e'])
    store.calls[1]!.settle()
    store.calls[2]!.settle()
    await Promise.all(results)
  })

  it("answers each rotation with its own outcome: one rotation's refusal is not another's", async () => {
    const conflict = new Error('refresh token hash taken')
    const batcher = createRotationBatcher({
      rotateOne: async (i) => answer(i),
      rotateMany: async (inputs) =>
        inputs.map(
          (i): PromiseSettledResult<RotateResult> =>
            i.tokenHash === 'b'
              ? { status: 'rejected', reason: conflict }
              : { status: 'fulfilled', value: answer(i) },
        ),
      maxInFlight: 1,
      maxBatch: 64,
    })
    const [a, b, c] = await Promise.allSettled(['a', 'b', 'c'].map((h) => batcher.rotate(input(h))))
    expect(a).toMatchObject({ status: 'fulfilled', value: { for: 'a' } })
    expect(b).toEqual({ status: 'rejected', reason: conflict })
    expect(c).toMatchObject({ status: 'fulfilled', value: { for: 'c' } })
  })

  it('fails the rotations of a call that fails, and goes on with the next', async () => {
    const store = heldStore()
    const batcher = createRotationBatcher({ ...store, maxInFlight: 1, maxBatch: 64 })
    const failed = ['a', 'b'].map((h) => batcher.rotate(input(h)))
    await turn()
    const next = batcher.rotate(input('c'))
    store.calls[0]!.fail(new Error('connection lost'))
    for (const r of failed) await expect(r).rejects.toThrow('connection lost')
    await turn()
    expect(store.calls.map((c) => c.hashes)[1]).toEqual(['c'])
    store.calls[1]!.settle()
    await expect(next).resolves.toMatchObject({ for: 'c' })
  })

  it('answers a rotation the store left out with an error instead of leaving it waiting', async () => {
    const batcher = createRotationBatcher({
      rotateOne: async (i) => answer(i),
      rotateMany: async (inputs) =>
        inputs.slice(0, 1).map((i) => ({ status: 'fulfilled', value: answer(i) })),
      maxInFlight: 1,
      maxBatch: 64,
    })
    const [a, b] = await Promise.allSettled(['a', 'b'].map((h) => batcher.rotate(input(h))))
    expect(a).toMatchObject({ status: 'fulfilled' })
    expect(b).toMatchObject({ status: 'rejected', reason: { message: /fewer rotations/ } })
  })

  it('refuses bounds that are not positive integers', () => {
    const store = heldStore()
    expect(() => createRotationBatcher({ ...store, maxInFlight: 0, maxBatch: 64 })).toThrow('maxInFlight')
    expect(() => createRotationBatcher({ ...store, maxInFlight: 1, maxBatch: 1.5 })).toThrow('maxBatch')
  })
})
