import type { RotateInput, RotateResult } from '../core/store.ts'

export interface RotationBatcher {
  rotate(input: RotateInput): Promise<RotateResult>
}

interface Waiting {
  input: RotateInput
  resolve(result: RotateResult): void
  reject(error: unknown): void
}

/**
 * Group commit for a server store: at most `maxInFlight` calls to the store at once; rotations
 * that arrive while all of them are busy wait and go together in the next call (`rotateMany`,
 * one statement and one commit), up to `maxBatch` each. A rotation that finds a free slot goes
 * at the end of the event-loop turn it arrived in, alone or with that turn's others, so an idle
 * issuer adds no wait. Each rotation is answered only after the call that carried it returned.
 */
export function createRotationBatcher(deps: {
  rotateOne(input: RotateInput): Promise<RotateResult>
  rotateMany(inputs: readonly RotateInput[]): Promise<PromiseSettledResult<RotateResult>[]>
  maxInFlight: number
  maxBatch: number
}): RotationBatcher {
  const { maxInFlight, maxBatch } = deps
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1)
    throw new Error('maxInFlight must be a positive integer')
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error('maxBatch must be a positive integer')
  let waiting: Waiting[] = []
  let inFlight = 0
  let scheduled = false

  const send = async (batch: Waiting[]): Promise<void> => {
    inFlight++
    try {
      if (batch.length === 1) {
        const [only] = batch as [Waiting]
        await deps.rotateOne(only.input).then(only.resolve, only.reject)
      } else {
        const outcomes = await deps.rotateMany(batch.map((w) => w.input))
        batch.forEach((w, i) => {
          const outcome = outcomes[i]
          if (outcome === undefined)
            w.reject(new Error('the store answered fewer rotations than it was sent'))
          else if (outcome.status === 'fulfilled') w.resolve(outcome.value)
          else w.reject(outcome.reason)
        })
      }
    } catch (err) {
      for (const w of batch) w.reject(err)
    } finally {
      inFlight--
      pump()
    }
  }

  function pump(): void {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = waiting.length <= maxBatch ? waiting : waiting.slice(0, maxBatch)
      waiting = waiting.length <= maxBatch ? [] : waiting.slice(maxBatch)
      void send(batch)
    }
  }

  return {
    rotate(input) {
      return new Promise((resolve, reject) => {
        waiting.push({ input, resolve, reject })
        if (!scheduled && inFlight < maxInFlight) {
          scheduled = true
          setImmediate(() => {
            scheduled = false
            pump()
          })
        }
      })
    },
  }
}
