import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { JWKS_PATH } from '../testing/counting-jwks-server.ts'

/**
 * `kid` is attacker text. The SDK only uses it as an exact key into an in-memory map: it never
 * builds a path, query or command from it, and an unknown kid costs at most one JWKS request per
 * cooldown. Every token here is signed by the issuer's own key, so only the kid is wrong.
 */
const HOSTILE_KIDS: Record<string, unknown> = {
  'path traversal': '../../etc/passwd',
  'absolute path': '/etc/passwd',
  'URL-encoded traversal': '..%2f..%2fetc%2fpasswd',
  'SQL injection': "' OR 1=1--",
  'SQL union': "x' UNION SELECT kid FROM keys--",
  'shell substitution': '$(id)',
  'shell backticks': '`id`',
  'shell command': ';rm -rf /',
  'shell pipe': '| cat /etc/passwd',
  'NUL byte': 'a\u0000b',
  CRLF: 'a\r\nX-Injected: 1',
  'prototype name': '__proto__',
  'constructor name': 'constructor',
  'empty string': '',
  number: 1,
  zero: 0,
  object: { $ne: null },
  'empty object': {},
  array: [],
  null: null,
  boolean: true,
}

describe('attack: kid injection', () => {
  let rig: AttackRig
  beforeAll(async () => {
    // A large maxTokenBytes so the 100 KB kid reaches the key lookup instead of the size check.
    rig = await startAttackRig({ verifier: { maxTokenBytes: 1_048_576 } })
  })
  afterAll(() => rig.close())

  it('refuses every hostile kid and touches nothing but the JWKS path', async () => {
    const before = rig.server.count(JWKS_PATH)
    for (const [name, kid] of Object.entries(HOSTILE_KIDS)) {
      await rig.refused(rig.token({}, { kid })).catch((error: unknown) => {
        throw new Error(`kid ${name}: ${String(error)}`)
      })
    }
    await rig.refused(rig.token({}, { kid: 'k'.repeat(100 * 1024) }))
    await rig.refused(rig.token({}, { kid: [rig.key.kid] }))
    await rig.refused(rig.token({}, { kid: { toString: rig.key.kid } }))
    expect(rig.server.strayRequests()).toBe(0)
    // Within the cooldown after the initial fetch, unknown kids cost no request at all.
    expect(rig.server.count(JWKS_PATH)).toBe(before)
  })

  it('matches the real kid exactly: no trimming, case folding or path normalisation', async () => {
    const kid = rig.key.kid
    for (const near of [
      `${kid} `,
      ` ${kid}`,
      kid.toUpperCase(),
      `./${kid}`,
      `${kid}/../${kid}`,
      `${kid}\u0000`,
    ]) {
      await rig.refused(rig.token({}, { kid: near }))
    }
    await rig.accepted(rig.token({}, { kid }))
  })

  it('a flood of random kids after the cooldown costs exactly one JWKS request', async () => {
    rig.now += 31_000 // past unknownKidCooldownSec (30 s), well within freshness (600 s)
    const before = rig.server.count(JWKS_PATH)
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => rig.refusedDirectly(rig.token({}, { kid: `random-${i}` }))),
    )
    for (let i = 0; i < 20; i++) await rig.refused(rig.token({}, { kid: `later-${i}` }))
    expect(rig.server.count(JWKS_PATH) - before).toBe(1)
    expect(rig.server.strayRequests()).toBe(0)
  })
})
