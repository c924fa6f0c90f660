import { describe, expect, it } from 'vitest'
import { createRandomSource } from './random-source.ts'

describe('createRandomSource', () => {
  it('hands out the sizes asked for, never the same bytes twice, across block refills', () => {
    const random = createRandomSource(64)
    const seen = new Set<string>()
    const held: { bytes: Buffer; copy: string }[] = []
    for (let i = 0; i < 200; i++) {
      const bytes = random(i % 2 ? 32 : 12)
      expect(bytes.length).toBe(i % 2 ? 32 : 12)
      const hex = bytes.toString('hex')
      expect(seen.has(hex)).toBe(false)
      seen.add(hex)
      held.push({ bytes, copy: hex })
    }
    // Bytes already handed out are never overwritten by a later refill.
    for (const { bytes, copy } of held) expect(bytes.toString('hex')).toBe(copy)
  })

  it('serves a request larger than its block directly', () => {
    expect(createRandomSource(16)(100).length).toBe(100)
  })

  it('looks uniformly random: every byte value appears over 64 KiB', () => {
    const random = createRandomSource()
    const counts = new Array<number>(256).fill(0)
    for (let i = 0; i < 2048; i++) for (const b of random(32)) counts[b]! += 1
    // 65,536 bytes: 256 expected per value; a stuck or zero-filled source fails at once.
    expect(Math.min(...counts)).toBeGreaterThan(150)
    expect(Math.max(...counts)).toBeLessThan(370)
  })
})
