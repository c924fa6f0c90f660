// Issue 12's proof (poll): every way a session ends reaches three verifier processes (Hono and
// Express on the SDK) within the bound, and they send the issuer no request per verified token.
// Figures are printed.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type PropagationRig, printTrials, startPropagationRig } from './testing/propagation-rig.ts'
import { ENDINGS, runTrials } from './testing/propagation-trials.ts'

const TRIALS = 100
const POLL_MS = 500
const BOUND_MS = POLL_MS + 1000

let rig: PropagationRig

beforeAll(async () => {
  rig = await startPropagationRig({ trials: TRIALS, verifier: { stream: false, pollIntervalMs: POLL_MS } })
}, 60_000)

afterAll(async () => {
  await rig?.stop()
})

it(`every way a session ends reaches every verifier with p99 within ${BOUND_MS} ms (poll), no request per token`, async () => {
  const before = await rig.issuerRequests()
  let verified = 0
  for (const ending of ENDINGS) {
    const r = await runTrials(ending, rig.ctx, TRIALS, 25)
    printTrials('poll', r)
    verified += r.verifiedTokens
    expect(r.p99, `${ending} p99`).toBeLessThanOrEqual(BOUND_MS)
  }
  const sent = (await rig.issuerRequests()) - before
  process.stdout.write(
    `propagation poll: ${sent} requests to the issuer for ${verified} verified tokens (${(sent / verified).toFixed(4)} per token)\n`,
  )
  // Polls run on a timer (at most one per interval and verifier), never per token.
  expect(sent).toBeLessThanOrEqual(rig.verifiers.length * Math.ceil(90_000 / POLL_MS))
}, 90_000)
