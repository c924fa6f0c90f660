// The body of the two propagation proofs (stream, polling): one rig, every ending, the bound on
// each p99, and the requests the verifiers sent the issuer meanwhile.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type PropagationRig, printTrials, startPropagationRig } from './propagation-rig.ts'
import { ENDINGS, runTrials } from './propagation-trials.ts'

export function propagationSuite(opts: {
  mode: 'stream' | 'poll'
  trials: number
  pollIntervalMs: number
  boundMs: number
  parallel: number
  /** Checks the requests sent to the issuer while every trial ran. */
  expectRequests: (sent: number, rig: PropagationRig) => void
}): void {
  let rig: PropagationRig
  beforeAll(async () => {
    rig = await startPropagationRig({
      trials: opts.trials,
      verifier: { stream: opts.mode === 'stream', pollIntervalMs: opts.pollIntervalMs },
    })
  }, 60_000)
  afterAll(async () => {
    await rig?.stop()
  })

  it(`every way a session ends reaches every verifier with p99 within ${opts.boundMs} ms (${opts.mode})`, async () => {
    const before = await rig.issuerRequests()
    let verified = 0
    for (const ending of ENDINGS) {
      const r = await runTrials(ending, rig.ctx, opts.trials, opts.parallel)
      printTrials(opts.mode, r)
      verified += r.verifiedTokens
      expect(r.p99, `${ending} p99`).toBeLessThanOrEqual(opts.boundMs)
    }
    const sent = (await rig.issuerRequests()) - before
    process.stdout.write(
      `propagation ${opts.mode}: ${sent} requests to the issuer for ${verified} verified tokens ` +
        `(${(sent / verified).toFixed(4)} per token)\n`,
    )
    opts.expectRequests(sent, rig)
  }, 90_000)
}
