import { generateKeyPairSync } from 'node:crypto'
import { calculateJwkThumbprint } from 'jose'
import { describe, expect, it } from 'vitest'
import { publicJwkOf } from './public-jwk.ts'

describe('publicJwkOf', () => {
  it('computes the RFC 7638 section 3.1 example thumbprint', async () => {
    // The example RSA key of RFC 7638 section 3.1 and the thumbprint the RFC gives for it.
    const jwk = {
      kty: 'RSA',
      n:
        '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjB' +
        'ZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8' +
        'KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_' +
        'xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    }
    expect(await calculateJwkThumbprint(jwk, 'sha256')).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
    const { createPublicKey } = await import('node:crypto')
    const key = createPublicKey({ key: jwk, format: 'jwk' })
    const pub = await publicJwkOf(key, 'RS256')
    expect(pub.kid).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  })

  it('publishes only public members, with kid, alg and use', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pub = await publicJwkOf(privateKey, 'RS256')
    expect(Object.keys(pub).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use'])
    expect(pub.use).toBe('sig')
    const ec = await publicJwkOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'ES256')
    expect(Object.keys(ec).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'])
    const ed = await publicJwkOf(generateKeyPairSync('ed25519').privateKey, 'EdDSA')
    expect(Object.keys(ed).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x'])
  })
})
