// In-process throughput of `pnpm bench verify`'s contenders, round by round.

/** Operations per second with `inFlight` calls outstanding at any time. */
export async function opsAsync(fn: () => Promise<unknown>, total: number, inFlight: number): Promise<number> {
  let started = 0
  const lane = async (): Promise<void> => {
    while (started < total) {
      started++
      await fn()
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, lane))
  return total / ((performance.now() - t0) / 1000)
}

/** Operations per second of a synchronous verifier (its best case: no promise per call). */
export function opsSync(fn: () => unknown, total: number): number {
  const t0 = performance.now()
  for (let i = 0; i < total; i++) fn()
  return total / ((performance.now() - t0) / 1000)
}

export interface Contender {
  name: string
  /** Runs `total` operations, returns operations per second. */
  run(total: number): Promise<number>
}

/** Warms every contender up, then runs each once per round, rotating the order; samples by name. */
export async function runRounds(
  contenders: Contender[],
  count: number,
  total: number,
): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
  for (const c of contenders) await c.run(Math.max(500, total >> 4)) // warm up (JIT, key caches)
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + r) % contenders.length]
      if (c === undefined) continue
      samples.get(c.name)?.push(await c.run(total))
    }
  }
  return samples
}
