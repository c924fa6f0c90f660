import { afterAll, beforeAll, describe, it } from 'vitest'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { TEST_AUDIENCE, TEST_ISSUER } from '../testing/test-key.ts'

/**
 * RFC 8725 3.8/3.9, RFC 9068 4: `iss` must equal the configured issuer exactly and `aud` must
 * contain this service. Tokens signed by the issuer's key whose iss or aud is almost right: each
 * must be refused, since "almost" is what a tenant, a sibling service or a typo-squat looks like.
 */
describe('attack: iss and aud near-misses', () => {
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig()
  })
  afterAll(() => rig.close())

  const ISSUERS: Record<string, unknown> = {
    missing: undefined,
    'trailing slash': `${TEST_ISSUER}/`,
    'upper case': TEST_ISSUER.toUpperCase(),
    'host case change': TEST_ISSUER.replace('example', 'Example'),
    'http scheme': TEST_ISSUER.replace('https', 'http'),
    'explicit default port': `${TEST_ISSUER}:443`,
    'a path': `${TEST_ISSUER}/tenant`,
    'as a prefix of another host': `${TEST_ISSUER}.evil.test`,
    'with a prefix': `https://evil.${TEST_ISSUER.slice('https://'.length)}`,
    'a suffix': `${TEST_ISSUER}x`,
    'missing its last character': TEST_ISSUER.slice(0, -1),
    'leading space': ` ${TEST_ISSUER}`,
    'trailing NUL': `${TEST_ISSUER}\u0000`,
    'a homoglyph': TEST_ISSUER.replace('e', '\u0435'),
    'percent-encoded': TEST_ISSUER.replace('.', '%2E'),
    'a list holding it': [TEST_ISSUER],
    'an object': { iss: TEST_ISSUER },
    null: null,
    'a number': 1,
    empty: '',
  }

  for (const [name, iss] of Object.entries(ISSUERS)) {
    it(`refuses iss ${name}`, async () => {
      await rig.refused(rig.token({ iss }))
    })
  }

  const AUDIENCES: Record<string, unknown> = {
    missing: undefined,
    'trailing slash': `${TEST_AUDIENCE}/`,
    'upper case': TEST_AUDIENCE.toUpperCase(),
    capitalised: 'Orders',
    prefix: TEST_AUDIENCE.slice(0, -1),
    suffix: `${TEST_AUDIENCE}-admin`,
    'with a prefix': `x${TEST_AUDIENCE}`,
    'surrounding space': ` ${TEST_AUDIENCE} `,
    'a URL of it': `https://${TEST_AUDIENCE}`,
    'a list without ours': ['billing', 'inventory'],
    'a list of near-misses': ['Orders', `${TEST_AUDIENCE}/`, `${TEST_AUDIENCE} `],
    'an empty list': [],
    'a nested list': [[TEST_AUDIENCE]],
    'ours beside a non-string': [TEST_AUDIENCE, 5],
    'a number': 5,
    'an object': { [TEST_AUDIENCE]: true },
    null: null,
    true: true,
    empty: '',
    'space-separated in one string': `billing ${TEST_AUDIENCE}`,
  }

  for (const [name, aud] of Object.entries(AUDIENCES)) {
    it(`refuses aud ${name}`, async () => {
      await rig.refused(rig.token({ aud }))
    })
  }

  it('accepts ours alone and ours in a list (the control)', async () => {
    await rig.accepted(rig.token({ aud: TEST_AUDIENCE }))
    await rig.accepted(rig.token({ aud: ['billing', TEST_AUDIENCE] }))
  })
})
