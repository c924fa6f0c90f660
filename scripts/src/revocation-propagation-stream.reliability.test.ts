// Issue 12's proof, streaming: every way a session ends reaches three verifier processes (Hono
// and Express on the SDK) within a second, and they send the issuer no request at all while
// verifying. Figures are printed.
import { expect } from 'vitest'
import { propagationSuite } from './testing/propagation-suite.ts'

propagationSuite({
  mode: 'stream',
  trials: 100,
  pollIntervalMs: 500,
  boundMs: 1000,
  parallel: 20,
  // One held connection, nothing else.
  expectRequests: (sent) => expect(sent).toBe(0),
})
