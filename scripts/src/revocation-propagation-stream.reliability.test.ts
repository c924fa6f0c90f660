// Issue 12's proof (stream): every way a session ends reaches three verifier processes (Hono and
// Express on the SDK) within the bound, and they send the issuer no request per verified token.
// Figures are printed.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type PropagationRig, printTrials, startPropagationRig } from './testing/propagation-rig.ts'
import { ENDINGS, runTrials } from './testing/propagation-trials.ts'

const TRIALS = 100
const POLL_MS = 500
const BOUND_MS = 1000

let rig: PropagationRig

beforeAll(async () => {
  rig = await startPropagationRig({ trials: TRIALS, verifier: { stream: true, pollIntervalMs: POLL_MS } })
}, 60_000)

afterAll(async () => {
  await rig?.stop()
})

it(`every way a session ends reaches every verifier with p99 within ${BOUND_MS} ms (stream), no request per token`, async () => {
  const before = await rig.issuerRequests()
  let verified = 0
  for (const ending of ENDINGS) {
    const r = await runTrials(ending, rig.ctx, TRIALS, 20)
    printTrials('stream', r)
    verified += r.verifiedTokens
    expect(r.p99, `${ending} p99`).toBeLessThanOrEqual(BOUND_MS)
  }
  const sent = (await rig.issuerRequests()) - before
  process.stdout.write(
    `propagation stream: ${sent} requests to the issuer for ${verified} verified tokens (${(sent / verified).toFixed(4)} per token)\n`,
  )
  // One held connection, nothing else: no request at all while tokens are verified.
  expect(sent).toBe(0)
}, 90_000)
