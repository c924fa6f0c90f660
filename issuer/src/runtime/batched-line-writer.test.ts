import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createBatchedLineWriter } from './batched-line-writer.ts'

describe('createBatchedLineWriter', () => {
  it('writes the lines of one event-loop turn in one write, in order', async () => {
    const out = new PassThrough()
    const writes: string[] = []
    out.on('data', (chunk: Buffer) => writes.push(chunk.toString()))
    const w = createBatchedLineWriter(out)
    w.write('a\n')
    w.write('b\n')
    expect(writes).toEqual([])
    await new Promise((r) => setImmediate(r))
    await new Promise((r) => setImmediate(r))
    expect(writes).toEqual(['a\nb\n'])
    w.write('c\n')
    w.flush()
    await new Promise((r) => setImmediate(r))
    expect(writes).toEqual(['a\nb\n', 'c\n'])
  })
})
