import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../create-verifier.ts'
import { VerifyError } from '../errors.ts'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { JWKS_PATH, startCountingJwksServer } from '../testing/counting-jwks-server.ts'
import { hmacToken } from '../testing/forge.ts'
import { createTestKey, T0, TEST_AUDIENCE, TEST_ISSUER, type TestKey } from '../testing/test-key.ts'

/**
 * JWKS entries the SDK must never verify with, published beside the issuer's good key: a key too
 * short, a private key, an encryption key, a key pinned to another algorithm, a key of another
 * type. Each token below is really signed by the private half of the bad entry and names it.
 */
interface BadEntry {
  readonly signer: TestKey
  readonly jwk: Record<string, unknown>
}

function entry(signer: TestKey, kid: string, change: Record<string, unknown> = {}): BadEntry {
  return { signer, jwk: { ...signer.publicJwk, kid, ...change } }
}

const rsa = createTestKey('RS256')
const ec = createTestKey('ES256')
const octSecret = Buffer.alloc(32, 9).toString('base64url')

const BAD: Record<string, BadEntry> = {
  'RSA-1024': entry(createTestKey('RS256', 1024), 'weak-1024'),
  'RSA-1024 under the issuer kid': entry(createTestKey('RS256', 1024), '<issuer kid>'),
  'a private key (with d)': entry(rsa, 'with-d', rsa.privateKey.export({ format: 'jwk' })),
  'use: enc': entry(rsa, 'use-enc', { use: 'enc' }),
  'key_ops without verify': entry(rsa, 'ops-encrypt', { key_ops: ['encrypt', 'wrapKey'] }),
  'alg RS512': entry(rsa, 'alg-rs512', { alg: 'RS512' }),
  'alg PS256': entry(rsa, 'alg-ps256', { alg: 'PS256' }),
  'alg HS256 on an RSA key': entry(rsa, 'alg-hs256', { alg: 'HS256' }),
  'an EC key': entry(ec, 'ec-p256'),
  'an EC key without alg': entry(ec, 'ec-no-alg', { alg: undefined }),
  'an RSA key with kty EC': entry(rsa, 'kty-lies', { kty: 'EC' }),
}

describe('attack: weak, private, encryption and wrong-alg keys in the JWKS', () => {
  let rig: AttackRig
  beforeAll(async () => {
    const extra = Object.values(BAD).map(({ jwk }) => jwk)
    extra.push({ kty: 'oct', kid: 'oct', k: octSecret, alg: 'HS256' })
    rig = await startAttackRig({ extraJwks: extra })
    for (const jwk of extra) if (jwk.kid === '<issuer kid>') jwk.kid = rig.key.kid
    rig.server.keys = [rig.key.publicJwk, ...extra]
    await rig.verifier.refreshKeys()
  })
  afterAll(() => rig.close())

  for (const [name, { signer, jwk }] of Object.entries(BAD)) {
    it(`never verifies with ${name}`, async () => {
      const before = rig.server.count(JWKS_PATH)
      // The token names the bad entry, with the alg that entry's key really signs with.
      await rig.refused(signer.sign({ alg: signer.alg, typ: 'at+jwt', kid: jwk.kid }, rig.claims()))
      // And with RS256 whatever the entry's type, signed by an RSA key where it has one.
      if (signer.alg === 'RS256') {
        await rig.refused(signer.sign({ alg: 'RS256', typ: 'at+jwt', kid: jwk.kid }, rig.claims()))
      }
      expect(rig.server.count(JWKS_PATH)).toBe(before)
    })
  }

  it('never verifies with a symmetric (oct) entry, as HS256 or as RS256', async () => {
    const secret = Buffer.from(octSecret, 'base64url')
    await rig.refused(hmacToken('HS256', secret, { kid: 'oct', typ: 'at+jwt' }, rig.claims()))
    await rig.refused(rsa.sign({ alg: 'RS256', typ: 'at+jwt', kid: 'oct' }, rig.claims()))
  })

  it('still verifies with the good key published beside them (the control)', async () => {
    await rig.accepted(rig.token())
  })
})

describe('attack: an EC key where an RS256 token expects RSA', () => {
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig({
      extraJwks: [{ ...ec.publicJwk, kid: 'ec' }],
      verifier: { algorithms: ['RS256', 'ES256'] },
    })
  })
  afterAll(() => rig.close())

  it('refuses RS256 under the EC kid, and ES256 under the RSA kid', async () => {
    await rig.refused(rsa.sign({ alg: 'RS256', typ: 'at+jwt', kid: 'ec' }, rig.claims()))
    await rig.refused(ec.sign({ alg: 'ES256', typ: 'at+jwt', kid: rig.key.kid }, rig.claims()))
    // The EC entry itself is fine for ES256 when that algorithm is pinned (the control).
    await rig.accepted(ec.sign({ alg: 'ES256', typ: 'at+jwt', kid: 'ec' }, rig.claims()))
  })
})

describe('a JWKS holding only unusable keys', () => {
  const only = Object.values(BAD).map(({ jwk }) => jwk)

  it('is refused at creation when given statically', () => {
    expect(() =>
      createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwks: { keys: only }, clock: () => T0 }),
    ).toThrow(TypeError)
  })

  it('when fetched, means keys_unavailable (503), not a verdict on the token', async () => {
    const server = await startCountingJwksServer()
    server.keys = only
    const verifier = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: server.jwksUrl,
      clock: () => T0,
    })
    try {
      await expect(verifier.ready()).rejects.toMatchObject({ code: 'keys_unavailable' })
      const token = rsa.sign({ alg: 'RS256', typ: 'at+jwt', kid: 'use-enc' }, { sub: 'x' })
      const error = await verifier.verify(token).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(VerifyError)
      expect(error).toMatchObject({ code: 'keys_unavailable', status: 503 })
    } finally {
      verifier.close()
      await server.close()
    }
  })
})
