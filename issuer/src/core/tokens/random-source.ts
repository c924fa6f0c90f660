import { randomFillSync } from 'node:crypto'

/** Cryptographically random bytes, as `crypto.randomBytes(size)`. */
export type RandomBytes = (size: number) => Buffer

/**
 * `randomBytes` drawn from a block filled by the CSPRNG a few KiB at a time: one call into
 * OpenSSL per ~100 tokens instead of one each (measured in docs/performance.md), the
 * way Node's own `randomUUID` batches. Each block is filled once and never reused, so bytes
 * handed out are never handed out again and never change under their holder.
 */
export function createRandomSource(blockBytes = 4096): RandomBytes {
  let block = Buffer.alloc(0)
  let offset = 0
  return (size) => {
    if (size > blockBytes) return randomFillSync(Buffer.allocUnsafeSlow(size))
    if (offset + size > block.length) {
      block = randomFillSync(Buffer.allocUnsafeSlow(blockBytes))
      offset = 0
    }
    const bytes = block.subarray(offset, offset + size)
    offset += size
    return bytes
  }
}
