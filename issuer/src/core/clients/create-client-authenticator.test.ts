import { randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { beforeEach, describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.ts'
import { createSqliteStore } from '../../store/sqlite/sqlite-store.ts'
import type { Store } from '../store.ts'
import { CLIENTS } from './client-collection.ts'
import type { ClientCredentials } from './client-credentials.ts'
import { firstPartyPublicClient } from './client-record.ts'
import { hashClientSecret, newClientSecret } from './client-secret.ts'
import { createClientAuthenticator } from './create-client-authenticator.ts'

const ISSUER = 'http://issuer.test'
const TOKEN_ENDPOINT = `${ISSUER}/oauth/token`
const NOW = Date.parse('2026-06-01T10:00:00Z')

describe('client authentication (RFC 6749 §2.3, RFC 7523)', () => {
  let store: Store
  let now: number
  let secret: string
  let keys: Awaited<ReturnType<typeof generateKeyPair>>
  let publicJwk: JWK
  const auth = () =>
    createClientAuthenticator({ store, clock: () => now, issuer: ISSUER, tokenEndpoint: TOKEN_ENDPOINT })

  beforeEach(async () => {
    // A real store, in memory: the registry and the one use of an assertion's jti.
    store = createSqliteStore({ path: ':memory:' })
    await store.migrate()
    now = NOW
    secret = newClientSecret()
    keys = await generateKeyPair('ES256')
    publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
    const base = firstPartyPublicClient('x', NOW)
    await store.records.insert(CLIENTS, { ...base, id: 'web', type: 'public' })
    await store.records.insert(CLIENTS, {
      ...base,
      id: 'svc',
      type: 'confidential',
      secretHash: hashClientSecret(secret),
    })
    await store.records.insert(CLIENTS, {
      ...base,
      id: 'signer',
      type: 'confidential',
      jwks: { keys: [publicJwk as Record<string, unknown>] },
    })
  })

  const assertion = (
    claims: Record<string, unknown> = {},
    alg = 'ES256',
    key: Parameters<SignJWT['sign']>[0] = keys.privateKey,
  ) => {
    const at = Math.floor(now / 1000)
    const payload = {
      iss: 'signer',
      sub: 'signer',
      aud: TOKEN_ENDPOINT,
      iat: at,
      exp: at + 60,
      jti: randomUUID(),
      ...claims,
    }
    return new SignJWT(payload).setProtectedHeader({ alg, kid: 'k1' }).sign(key)
  }

  const refusal = async (c: ClientCredentials) => {
    const err = await auth()
      .authenticate(c, TOKEN_ENDPOINT)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OAuthError)
    return err as OAuthError
  }

  it('accepts a confidential client by its secret (basic and post) and a public one by its id', async () => {
    await expect(
      auth().authenticate({ method: 'client_secret_basic', clientId: 'svc', secret }, TOKEN_ENDPOINT),
    ).resolves.toMatchObject({ id: 'svc' })
    await expect(
      auth().authenticate({ method: 'client_secret_post', clientId: 'svc', secret }, TOKEN_ENDPOINT),
    ).resolves.toMatchObject({ id: 'svc' })
    await expect(
      auth().authenticate({ method: 'none', clientId: 'web' }, TOKEN_ENDPOINT),
    ).resolves.toMatchObject({ id: 'web' })
  })

  it('refuses a wrong secret, an unknown or disabled client, and a confidential client with none', async () => {
    const basic = await refusal({ method: 'client_secret_basic', clientId: 'svc', secret: newClientSecret() })
    expect(basic).toMatchObject({ code: 'invalid_client', status: 401, basicChallenge: true })
    expect(
      (await refusal({ method: 'client_secret_post', clientId: 'svc', secret: 'short' })).basicChallenge,
    ).toBe(false)
    expect((await refusal({ method: 'none', clientId: 'nobody' })).detail).toBe('unknown_client')
    expect((await refusal({ method: 'none', clientId: 'svc' })).detail).toBe(
      'confidential_client_without_credentials',
    )
    expect((await refusal({ method: 'client_secret_post', clientId: 'web', secret })).detail).toBe(
      'public_client_with_secret',
    )
    await store.records.update(CLIENTS, { id: 'svc' }, { disabled: true, updatedAt: now })
    expect((await refusal({ method: 'client_secret_basic', clientId: 'svc', secret })).detail).toBe(
      'unknown_client',
    )
  })

  it('keeps the previous secret working for its overlap only', async () => {
    const next = newClientSecret()
    await store.records.update(
      CLIENTS,
      { id: 'svc' },
      {
        secretHash: hashClientSecret(next),
        previousSecretHash: hashClientSecret(secret),
        previousSecretExpiresAt: now + 60_000,
        updatedAt: now,
      },
    )
    await expect(
      auth().authenticate({ method: 'client_secret_basic', clientId: 'svc', secret }, TOKEN_ENDPOINT),
    ).resolves.toBeTruthy()
    await expect(
      auth().authenticate({ method: 'client_secret_basic', clientId: 'svc', secret: next }, TOKEN_ENDPOINT),
    ).resolves.toBeTruthy()
    now += 60_000
    expect((await refusal({ method: 'client_secret_basic', clientId: 'svc', secret })).detail).toBe(
      'bad_secret',
    )
  })

  it('remembers a success for acceptedForMs only, and a rotated secret works at once', async () => {
    const cached = createClientAuthenticator({
      store,
      clock: () => now,
      issuer: ISSUER,
      tokenEndpoint: TOKEN_ENDPOINT,
      acceptedForMs: 5000,
    })
    const basicWith = (s: string): ClientCredentials => ({
      method: 'client_secret_basic',
      clientId: 'svc',
      secret: s,
    })
    await expect(cached.authenticate(basicWith(secret), TOKEN_ENDPOINT)).resolves.toBeTruthy()
    const next = newClientSecret()
    await store.records.update(CLIENTS, { id: 'svc' }, { secretHash: hashClientSecret(next), updatedAt: now })
    await expect(cached.authenticate(basicWith(next), TOKEN_ENDPOINT)).resolves.toBeTruthy()
    await store.records.update(CLIENTS, { id: 'svc' }, { disabled: true, updatedAt: now })
    // Still in memory for the rest of its time, then the store's answer.
    await expect(cached.authenticate(basicWith(next), TOKEN_ENDPOINT)).resolves.toBeTruthy()
    now += 5000
    const err = await cached.authenticate(basicWith(next), TOKEN_ENDPOINT).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'invalid_client', detail: 'unknown_client' })
  })

  it('accepts a private_key_jwt assertion once, with aud the token endpoint or the issuer', async () => {
    const first = await assertion()
    await expect(
      auth().authenticate({ method: 'private_key_jwt', clientId: null, assertion: first }, TOKEN_ENDPOINT),
    ).resolves.toMatchObject({ id: 'signer' })
    expect((await refusal({ method: 'private_key_jwt', clientId: null, assertion: first })).detail).toBe(
      'assertion_replayed',
    )
    const toIssuer = await assertion({ aud: ISSUER })
    await expect(
      auth().authenticate(
        { method: 'private_key_jwt', clientId: 'signer', assertion: toIssuer },
        TOKEN_ENDPOINT,
      ),
    ).resolves.toBeTruthy()
  })

  it('accepts an assertion valid for an hour (authlib signs exp = iat + 3600), and only once in that hour', async () => {
    const at = Math.floor(now / 1000)
    const jwt = await assertion({ iat: at, exp: at + 3600 })
    const credentials = { method: 'private_key_jwt' as const, clientId: null, assertion: jwt }
    await expect(auth().authenticate(credentials, TOKEN_ENDPOINT)).resolves.toMatchObject({ id: 'signer' })
    now += 3500 * 1000
    expect(await refusal(credentials)).toMatchObject({
      detail: 'assertion_replayed',
      message: 'The client assertion was already used: send a new one with a new jti.',
    })
    now -= 3500 * 1000
  })

  it('refuses assertions that are expired, too far ahead, for another audience, without jti, or for another client, naming why', async () => {
    const at = Math.floor(now / 1000)
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ exp: at - 60 }, 'assertion_expired', /has expired/],
      [{ exp: at + 3700 }, 'assertion_too_far_ahead', /too far ahead: at most 3600 seconds/],
      [{ iat: at + 600 }, 'assertion_not_yet_valid', /not valid yet/],
      [{ aud: 'https://elsewhere.example/token' }, 'assertion_audience', /aud must be/],
      [{ jti: undefined }, 'assertion_no_jti', /jti/],
      [{ iss: 'someone' }, 'assertion_iss_mismatch', /iss must be/],
    ]
    for (const [claims, detail, message] of cases) {
      const jwt = await assertion(claims)
      const err = await refusal({ method: 'private_key_jwt', clientId: null, assertion: jwt })
      expect(err.detail).toBe(detail)
      expect(err.message).toMatch(message)
      expect(err.message).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/)
    }
    const jwt = await assertion()
    expect((await refusal({ method: 'private_key_jwt', clientId: 'svc', assertion: jwt })).detail).toBe(
      'assertion_sub_mismatch',
    )
  })

  it('an unknown client and a key it never registered get the same answer: no id is confirmed', async () => {
    const other = await generateKeyPair('ES256')
    const unknown = await refusal({
      method: 'private_key_jwt',
      clientId: null,
      assertion: await assertion({ iss: 'ghost', sub: 'ghost' }),
    })
    const otherKey = await refusal({
      method: 'private_key_jwt',
      clientId: null,
      assertion: await new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: 'not-registered' })
        .setIssuer('signer')
        .setSubject('signer')
        .setAudience(TOKEN_ENDPOINT)
        .setExpirationTime(Math.floor(now / 1000) + 60)
        .sign(other.privateKey),
    })
    expect(unknown.message).toBe(otherKey.message)
    expect(unknown.message).toMatch(/key not registered/)
  })

  it('refuses alg none, HS256 keyed with the public key, and a signature by another key', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')
    const body = Buffer.from(
      JSON.stringify({
        iss: 'signer',
        sub: 'signer',
        aud: TOKEN_ENDPOINT,
        exp: Math.floor(now / 1000) + 60,
        jti: 'n',
      }),
    ).toString('base64url')
    expect(
      (await refusal({ method: 'private_key_jwt', clientId: null, assertion: `${header}.${body}.` })).code,
    ).toBe('invalid_client')
    const hmacKey = new TextEncoder().encode(JSON.stringify(publicJwk))
    expect(
      (
        await refusal({
          method: 'private_key_jwt',
          clientId: null,
          assertion: await assertion({}, 'HS256', hmacKey),
        })
      ).detail,
    ).toBe('assertion_algorithm')
    const other = await generateKeyPair('ES256')
    expect(
      (
        await refusal({
          method: 'private_key_jwt',
          clientId: null,
          assertion: await assertion({}, 'ES256', other.privateKey),
        })
      ).detail,
    ).toMatch(/^assertion_(bad_signature|unknown_key)$/)
    expect(
      (await refusal({ method: 'private_key_jwt', clientId: null, assertion: 'not.a.jwt' })).detail,
    ).toBe('assertion_malformed')
  })
})
