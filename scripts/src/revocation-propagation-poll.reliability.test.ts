// Issue 12's proof, polling: every way a session ends reaches three verifier processes (Hono and
// Express on the SDK) within the poll interval plus a second; their polls run on a timer, never
// per verified token. Figures are printed.
import { expect } from 'vitest'
import { propagationSuite } from './testing/propagation-suite.ts'

const POLL_MS = 500

propagationSuite({
  mode: 'poll',
  trials: 100,
  pollIntervalMs: POLL_MS,
  boundMs: POLL_MS + 1000,
  parallel: 25,
  // At most one poll per interval and verifier over the run, whatever the number of tokens.
  expectRequests: (sent, rig) =>
    expect(sent).toBeLessThanOrEqual(rig.verifiers.length * Math.ceil(90_000 / POLL_MS)),
})
