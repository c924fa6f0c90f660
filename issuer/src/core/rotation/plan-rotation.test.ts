import { describe, expect, it } from 'vitest'
import type { RotateInput } from '../store.ts'
import { planRotation, type RotationState } from './plan-rotation.ts'

const NOW = 1_700_000_000_000
const input: RotateInput = {
  tokenHash: 'h',
  now: NOW,
  clientId: null,
  graceMs: 10_000,
  successor: { hash: 'n', idleExpiresAt: NOW + 1000, sealed: 'sealed.n' },
}
const live: RotationState = {
  session: { revokedAt: null, absoluteExpiresAt: NOW + 5000, clientId: 'web', publicClient: true },
  user: { disabled: false },
  token: {
    idleExpiresAt: NOW + 500,
    consumedAt: null,
    successorSealed: null,
    successorConsumedAt: null,
    successorExists: false,
  },
}
const consumed = (at: number, state: RotationState = live): RotationState => ({
  ...state,
  token: { ...state.token, consumedAt: at, successorSealed: 'sealed.s', successorExists: true },
})

describe('planRotation', () => {
  it('names each plan after the result it leads to', () => {
    expect(planRotation(live, input)).toEqual({ kind: 'rotated', successorIdleExpiresAt: NOW + 1000 })
    expect(planRotation(consumed(NOW - 10_000), input)).toEqual({
      kind: 'replayed',
      sealedSuccessor: 'sealed.s',
    })
    expect(planRotation(consumed(NOW - 10_001), input)).toEqual({ kind: 'reuse_detected' })
  })

  it('refuses a disabled or missing user only where the token would be honoured', () => {
    for (const user of [{ disabled: true }, null]) {
      const state = { ...live, user }
      expect(planRotation(state, input)).toEqual({ kind: 'invalid', reason: 'user_disabled' })
      expect(planRotation(consumed(NOW - 1, state), input)).toEqual({
        kind: 'invalid',
        reason: 'user_disabled',
      })
      expect(planRotation(consumed(NOW - 10_001, state), input)).toEqual({ kind: 'reuse_detected' })
      // A dead session answers as dead first.
      const revoked = { ...state, session: { ...state.session, revokedAt: NOW - 1 } }
      expect(planRotation(revoked, input)).toEqual({ kind: 'invalid', reason: 'revoked' })
    }
  })

  it("refuses a client that is not the session's, after the dead-session checks, before any write", () => {
    const mismatch = { kind: 'invalid', reason: 'client_mismatch' }
    const confidential = { ...live, session: { ...live.session, clientId: 'svc', publicClient: false } }
    expect(planRotation(live, { ...input, clientId: 'web' }).kind).toBe('rotated')
    expect(planRotation(live, { ...input, clientId: 'other' })).toEqual(mismatch)
    expect(planRotation(confidential, input)).toEqual(mismatch)
    expect(planRotation(confidential, { ...input, clientId: 'svc' }).kind).toBe('rotated')
    // Neither reuse nor a disabled user is acted on for a wrong client: both would revoke.
    expect(planRotation(consumed(NOW - 10_001, confidential), input)).toEqual(mismatch)
    expect(planRotation({ ...confidential, user: null }, input)).toEqual(mismatch)
    const revoked = { ...confidential, session: { ...confidential.session, revokedAt: NOW - 1 } }
    expect(planRotation(revoked, input)).toEqual({ kind: 'invalid', reason: 'revoked' })
    const idle = { ...confidential, token: { ...confidential.token, idleExpiresAt: NOW } }
    expect(planRotation(idle, input)).toEqual({ kind: 'invalid', reason: 'idle_expired' })
  })

  it('never lets a successor outlive its session', () => {
    const short = { ...live, session: { ...live.session, absoluteExpiresAt: NOW + 200 } }
    expect(planRotation(short, input)).toEqual({ kind: 'rotated', successorIdleExpiresAt: NOW + 200 })
  })
})
