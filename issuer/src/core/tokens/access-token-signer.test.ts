import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CompactSign, createLocalJWKSet, importJWK, type JWK, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKey } from '../../keys/generate-key.ts'
import { createKeyRing, type KeyRing } from '../../keys/key-ring.ts'
import { createAccessTokenSigner } from './access-token-signer.ts'

const NOW = Date.parse('2026-06-01T10:00:00Z')
let dir: string
let keyRing: KeyRing

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-signer-'))
  await generateKey({ dir, now: NOW - 1000 })
  keyRing = await createKeyRing({ dir, clock: () => NOW })
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const signer = () =>
  createAccessTokenSigner({
    keyRing,
    issuer: 'http://issuer.test',
    audience: ['api'],
    ttlSec: 900,
    clock: () => NOW,
  })
/** A password login ten minutes before NOW. */
const PASSWORD_LOGIN = { acr: 'urn:tokensmith:acr:password', amr: ['pwd'], authTime: NOW - 600_000 }

const verify = (token: string, audience: string) =>
  jwtVerify(token, createLocalJWKSet(keyRing.jwks(NOW)), {
    issuer: 'http://issuer.test',
    audience,
    typ: 'at+jwt',
    currentDate: new Date(NOW),
  })

describe('access-token signer (RFC 9068)', () => {
  it("signs a user's token with its session, roles and scope, the client's audience and a shorter lifetime", async () => {
    const { token, expiresIn } = await signer().sign({
      userId: 'u1',
      clientId: 'web',
      sessionId: 's1',
      roles: ['admin'],
      authentication: PASSWORD_LOGIN,
      scope: ['orders:read', 'orders:write'],
      audience: ['orders'],
      ttlSec: 60,
    })
    const { payload } = await verify(token, 'orders')
    expect(payload).toMatchObject({
      sub: 'u1',
      sid: 's1',
      client_id: 'web',
      roles: ['admin'],
      scope: 'orders:read orders:write',
      aud: 'orders',
    })
    expect(payload.exp! - payload.iat!).toBe(60)
    expect(expiresIn).toBe(60)
  })

  it('never lets a client lengthen the issuer lifetime', async () => {
    const { expiresIn } = await signer().sign({
      userId: 'u',
      clientId: 'c',
      sessionId: 's',
      roles: [],
      authentication: PASSWORD_LOGIN,
      ttlSec: 86_400,
    })
    expect(expiresIn).toBe(900)
  })

  it("signs a service's token with sub = client_id and no session (RFC 6749 §4.4)", async () => {
    const { token } = await signer().signService({
      clientId: 'billing',
      scope: ['invoices:read'],
      audience: ['orders', 'ledger'],
    })
    const { payload } = await verify(token, 'ledger')
    expect(payload).toMatchObject({
      sub: 'billing',
      client_id: 'billing',
      scope: 'invoices:read',
      aud: ['orders', 'ledger'],
    })
    expect(payload).not.toHaveProperty('sid')
    expect(payload).not.toHaveProperty('roles')
    // No user signed in: no authentication context (RFC 9068 §2.2.1 speaks of the user's).
    for (const claim of ['acr', 'amr', 'auth_time']) expect(payload).not.toHaveProperty(claim)
  })

  it('says how the user authenticated: acr, amr and auth_time in seconds (RFC 9068 §2.2.1, OpenID Connect Core §2)', async () => {
    const { token } = await signer().sign({
      userId: 'u1',
      clientId: 'web',
      sessionId: 's1',
      roles: [],
      authentication: { acr: 'urn:tokensmith:acr:mfa', amr: ['pwd', 'otp', 'mfa'], authTime: NOW - 1500 },
    })
    const { payload } = await verify(token, 'api')
    expect(payload).toMatchObject({
      acr: 'urn:tokensmith:acr:mfa',
      amr: ['pwd', 'otp', 'mfa'],
      // NumericDate: whole seconds, rounded down (RFC 7519 §2).
      auth_time: Math.floor((NOW - 1500) / 1000),
    })
  })

  it('signs the RS256 JWS jose CompactSign signs for the same header and claims (RFC 7515 §7.1)', async () => {
    const { token } = await signer().sign({
      userId: 'u1',
      clientId: 'web',
      sessionId: 's1',
      roles: ['user'],
      authentication: PASSWORD_LOGIN,
    })
    const [header, payload] = token.split('.') as [string, string]
    const signing = keyRing.signingKey(NOW)
    const joseKey = await importJWK(signing.privateKey.export({ format: 'jwk' }) as JWK, 'RS256')
    const reference = await new CompactSign(Buffer.from(payload, 'base64url'))
      .setProtectedHeader(JSON.parse(Buffer.from(header, 'base64url').toString()))
      .sign(joseKey)
    expect(token).toBe(reference)
  })
})
