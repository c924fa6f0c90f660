import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JWT_BEARER_ASSERTION } from '../../http/oauth/client-credentials-of.ts'
import { type ClientAssertionKey, createClientAssertionKey } from '../../testing/client-assertion-key.ts'
import { seedIssuerData } from '../../testing/seed-issuer-data.ts'
import { serviceClient } from '../../testing/service-client.ts'
import { sharedStoreBackends } from '../../testing/shared-store-backends.ts'
import { type SpawnedIssuer, spawnIssuer } from '../../testing/spawn-issuer.ts'

// RFC 7523 §3: a client assertion is good for one use. Two issuer instances share one store, so
// an assertion used at one must be refused at the other: the `jti` is remembered in the store.
const ISSUER_URL = 'http://issuer.test'
const TOKEN_ENDPOINT = `${ISSUER_URL}/oauth/token`

describe.each(sharedStoreBackends('assertion'))(
  'one client assertion, two issuer processes, $name',
  (backend) => {
    let dir: string
    let key: ClientAssertionKey
    let a: SpawnedIssuer
    let b: SpawnedIssuer

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tokensmith-assertion-'))
      key = await createClientAssertionKey('ES256')
      const databaseUrl = backend.databaseUrl(dir)
      await seedIssuerData({
        keysDir: join(dir, 'keys'),
        databaseUrl,
        users: [],
        clients: [serviceClient('svc', Date.now(), { jwks: key.jwks })],
      })
      const env = { KEYS_DIR: join(dir, 'keys'), DATABASE_URL: databaseUrl, ISSUER_URL }
      ;[a, b] = await Promise.all([spawnIssuer(env), spawnIssuer(env)])
    })
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()])
      await backend.cleanup()
      await rm(dir, { recursive: true, force: true })
    })

    const grant = async (issuer: SpawnedIssuer, assertion: string) => {
      const res = await fetch(`${issuer.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: JWT_BEARER_ASSERTION,
          client_assertion: assertion,
        }),
      })
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    }

    it('used at instance A, it is invalid_client at instance B', async () => {
      const assertion = await key.sign({ clientId: 'svc', audience: TOKEN_ENDPOINT })
      const first = await grant(a, assertion)
      expect(first.status).toBe(200)
      expect(first.body.access_token).toBeTypeOf('string')
      const again = await grant(b, assertion)
      expect(again).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: expect.any(String) },
      })
      // A fresh assertion (new jti) from the same key is fine at B.
      expect((await grant(b, await key.sign({ clientId: 'svc', audience: ISSUER_URL }))).status).toBe(200)
    })

    it('sent to both at once, 20 times over: exactly one token', async () => {
      const assertion = await key.sign({ clientId: 'svc', audience: TOKEN_ENDPOINT })
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => grant(i % 2 ? a : b, assertion)))
      expect(results.filter((r) => r.status === 200)).toHaveLength(1)
      for (const r of results.filter((x) => x.status !== 200)) {
        expect(r.status).toBe(401)
        expect(r.body.error).toBe('invalid_client')
      }
    })
  },
)
