// An in-process issuer (createTestIssuer) with the clients the /oauth suites need: the default
// public client, a confidential service with a secret, one with a registered RSA key for
// private_key_jwt, and a user. Form posts in one call, so hostile-input tests stay short.

import { CLIENTS } from '../core/clients/client-collection.ts'
import { hashClientSecret, newClientSecret } from '../core/clients/client-secret.ts'
import { type ClientAssertionKey, createClientAssertionKey } from './client-assertion-key.ts'
import { leakedLines } from './http-probe.ts'
import { serviceClient } from './service-client.ts'
import { createTestIssuer, TEST_ISSUER_URL, type TestIssuer } from './test-issuer.ts'

export const OAUTH_USER = { username: 'alice', password: 'correct horse battery staple' }

export interface OAuthTestIssuer extends TestIssuer {
  /** The secret of `svc` (client_credentials, scope `orders:read`, audience `urn:orders`). */
  svcSecret: string
  /** The key registered on `svc-jwt` (the same grants, private_key_jwt). */
  svcKey: ClientAssertionKey
  /** A key nobody registered. */
  strangerKey: ClientAssertionKey
  tokenEndpoint: string
  /** POSTs `params` (or a raw body) as application/x-www-form-urlencoded. */
  form(
    path: string,
    params: Record<string, string> | string,
    headers?: Record<string, string>,
  ): Promise<Response>
  /** A fresh login of the user through the password grant of `default`. */
  userTokens(): Promise<{ accessToken: string; refreshToken: string }>
  /** Log lines holding the user's password, the client secret, or anything token-shaped. */
  leakedSecrets(): string[]
}

export const basicAuth = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

export async function createOAuthTestIssuer(env: Record<string, string> = {}): Promise<OAuthTestIssuer> {
  // Limits high enough that a suite of wrong passwords never locks the user out.
  const t = await createTestIssuer({
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
    ...env,
  })
  await t.addUser(OAUTH_USER.username, OAUTH_USER.password)
  const svcSecret = newClientSecret()
  const svcKey = await createClientAssertionKey('RS256')
  const strangerKey = await createClientAssertionKey('RS256')
  const service = { scopes: ['orders:read'], audiences: ['urn:orders'] }
  await t.store.records.insert(
    CLIENTS,
    serviceClient('svc', t.now.ms, { ...service, secretHash: hashClientSecret(svcSecret) }),
  )
  await t.store.records.insert(CLIENTS, serviceClient('svc-jwt', t.now.ms, { ...service, jwks: svcKey.jwks }))

  const form: OAuthTestIssuer['form'] = (path, params, headers = {}) =>
    t.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: typeof params === 'string' ? params : new URLSearchParams(params).toString(),
    })
  return {
    ...t,
    svcSecret,
    svcKey,
    strangerKey,
    tokenEndpoint: `${TEST_ISSUER_URL}/oauth/token`,
    form,
    leakedSecrets: () => leakedLines(t.logs, [OAUTH_USER.password, svcSecret]),
    async userTokens() {
      const res = await form('/oauth/token', { grant_type: 'password', ...OAUTH_USER })
      const body = (await res.json()) as { access_token?: string; refresh_token?: string }
      if (res.status !== 200 || body.access_token === undefined || body.refresh_token === undefined) {
        throw new Error(`password grant failed: ${res.status} ${JSON.stringify(body)}`)
      }
      return { accessToken: body.access_token, refreshToken: body.refresh_token }
    },
  }
}
