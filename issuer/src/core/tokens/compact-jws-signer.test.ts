// Differential test of the node:crypto JWS path against jose, the reference it replaced on the
// hot path: every token it makes must verify with jose (RFC 7515 §5.2), and RS256 (RSASSA-PKCS1
// v1.5, deterministic: RFC 7518 §3.3) must be byte for byte what jose's CompactSign produces for
// the same protected header and payload. ES256 and EdDSA signatures are checked by verification.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CompactSign, compactVerify, importJWK, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKey } from '../../keys/generate-key.ts'
import type { SigningAlg } from '../../keys/key-manifest.ts'
import { createKeyRing } from '../../keys/key-ring.ts'
import type { SigningKey } from '../../keys/load-signing-key.ts'
import { compactJwsSigner } from './compact-jws-signer.ts'

const NOW = Date.parse('2026-06-01T10:00:00Z')
const dirs: string[] = []
const keys = new Map<SigningAlg, SigningKey>()

beforeAll(async () => {
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    const dir = await mkdtemp(join(tmpdir(), `tokensmith-jws-${alg}-`))
    dirs.push(dir)
    await generateKey({ dir, now: NOW - 1000, alg })
    keys.set(alg, (await createKeyRing({ dir, clock: () => NOW })).signingKey(NOW))
  }
})
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

const keyOf = (alg: SigningAlg): SigningKey => {
  const key = keys.get(alg)
  if (key === undefined) throw new Error(`no ${alg} key`)
  return key
}

/** Claims of every shape the signer sees: unicode, escapes, arrays, numbers, empty strings. */
function payloads(): string[] {
  const out: string[] = []
  for (let i = 0; i < 40; i++) {
    out.push(
      JSON.stringify({
        iss: 'https://issuer.example',
        sub: `user-${randomBytes(8).toString('hex')}`,
        aud: i % 3 === 0 ? ['orders', 'ledger'] : 'api',
        iat: 1_780_000_000 + i,
        exp: 1_780_000_900 + i,
        jti: randomBytes(16).toString('hex'),
        client_id: i % 2 === 0 ? 'web' : 'ß-client ✓',
        sid: randomBytes(12).toString('base64url'),
        roles: i % 4 === 0 ? [] : ['admin', 'user "quoted"', '\u0000\u2028'],
        scope: i % 5 === 0 ? '' : 'orders:read orders:write',
        pad: 'x'.repeat(i * 13),
      }),
    )
  }
  return out
}

describe('compact JWS signer (RFC 7515 §7.1) against jose', () => {
  it('produces exactly the RS256 JWS jose CompactSign produces, header and payload alike', async () => {
    const key = keyOf('RS256')
    const header = { alg: 'RS256', kid: key.kid, typ: 'at+jwt' }
    const sign = compactJwsSigner('RS256', key.privateKey, header)
    const joseKey = await importJWK(key.privateKey.export({ format: 'jwk' }) as JWK, 'RS256')
    for (const payload of payloads()) {
      const reference = await new CompactSign(new TextEncoder().encode(payload))
        .setProtectedHeader(header)
        .sign(joseKey)
      expect(await sign(payload)).toBe(reference)
    }
  })

  it.each(['RS256', 'ES256', 'EdDSA'] as const)(
    'makes %s tokens jose verifies, payload intact',
    async (alg) => {
      const key = keyOf(alg)
      const header = { alg, kid: key.kid, typ: 'at+jwt' }
      const sign = compactJwsSigner(alg, key.privateKey, header)
      const publicKey = await importJWK(key.publicJwk as JWK, alg)
      for (const payload of payloads()) {
        const token = await sign(payload)
        const verified = await compactVerify(token, publicKey, { algorithms: [alg] })
        expect(new TextDecoder().decode(verified.payload)).toBe(payload)
        expect(verified.protectedHeader).toEqual(header)
      }
    },
  )

  it('makes a token jose refuses once one byte of its payload changes', async () => {
    const key = keyOf('RS256')
    const sign = compactJwsSigner('RS256', key.privateKey, { alg: 'RS256', kid: key.kid, typ: 'at+jwt' })
    const token = await sign('{"sub":"alice"}')
    const [h, , sig] = token.split('.')
    const forged = `${h}.${Buffer.from('{"sub":"alicf"}').toString('base64url')}.${sig}`
    const publicKey = await importJWK(key.publicJwk as JWK, 'RS256')
    await expect(compactVerify(forged, publicKey, { algorithms: ['RS256'] })).rejects.toThrow()
  })
})
