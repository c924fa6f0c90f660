// Issue 12's proof, several instances: a logout at instance A reaches verifiers that follow
// instance B within the stream's bound, on PostgreSQL and on Redis (the feed is served from the
// shared store, its cursor common to every instance). Figures are printed.
import { sharedStoreBackends } from '@tokensmith/issuer/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { type PropagationRig, printTrials, startPropagationRig } from './testing/propagation-rig.ts'
import { runTrials } from './testing/propagation-trials.ts'

const TRIALS = 100
const backends = sharedStoreBackends('feed-multi').filter((b) => b.name !== 'one SQLite file')

afterAll(async () => {
  for (const b of backends) await b.cleanup()
})

describe.each(backends)('two issuer instances on $name', (backend) => {
  let rig: PropagationRig | undefined
  afterAll(async () => {
    await rig?.stop()
  })

  it('a logout at A reaches the verifiers following B: p99 within 1000 ms over 100 trials', async () => {
    rig = await startPropagationRig({
      trials: 0,
      instances: 2,
      databaseUrl: (dir) => backend.databaseUrl(dir),
      verifier: { stream: true },
    })
    expect(rig.ctx.issuerUrl).not.toBe(rig.issuers[1]?.url)
    const r = await runTrials('logout', rig.ctx, TRIALS, 20)
    printTrials(`A->B ${backend.name}`, r)
    expect(r.p99).toBeLessThanOrEqual(1000)
  }, 60_000)
})
