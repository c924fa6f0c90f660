import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VerifyError } from '../errors.ts'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { signRawRs256 } from '../testing/forge.ts'

/**
 * With a raised maxTokenBytes, a validly signed payload nested deeper than the call stack allows
 * must still end in claims or a VerifyError, never another error (a 500 through the middlewares).
 */
describe('a deeply nested payload signed by the issuer, with maxTokenBytes raised to 1 MiB', () => {
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig({ verifier: { maxTokenBytes: 1_048_576 } })
  })
  afterAll(() => rig.close())

  it('yields claims or a VerifyError, never another error (no 500 through the middlewares)', async () => {
    const depth = 200_000
    const header = JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: rig.key.kid })
    const claims = JSON.stringify(rig.claims()).replace(
      /^\{/,
      `{"x":${'['.repeat(depth)}${']'.repeat(depth)},`,
    )
    const token = signRawRs256(rig.key.privateKey, header, claims)
    const outcome = await rig.verifier.verify(token).then(
      () => 'claims',
      (error: unknown) => (error instanceof VerifyError ? 'VerifyError' : String(error)),
    )
    expect(outcome).toMatch(/^(claims|VerifyError)$/)
    const res = await rig.hono.request('/api/me', { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).not.toBe(500)
  })
})
