// The store round trips of one successful `/auth/login` on each server store, counted on the wire
// by a proxy in front of the real server, through the whole issuer (the login limiter, the
// password check, the session). What a login costs the store, and so how many logins one pool
// or one Redis connection carries, rests on this count.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RoundTripProxy, startRoundTripProxy } from '../testing/round-trip-proxy.ts'
import { sharedStoreBackends } from '../testing/shared-store-backends.ts'
import { createTestIssuer, type TestIssuer } from '../testing/test-issuer.ts'
import { openStore } from './open-store.ts'

// getClient (the JSON API's public client), hitCounters (account and address, before the hash),
// findUserByUsername, settleCounters (reset the account, give the address its hit back) and
// createSession: one round trip each.
const LOGIN_ROUND_TRIPS = 5

const serverBackends = sharedStoreBackends('login-trips').filter(
  (b) => !b.databaseUrl('').startsWith('sqlite:'),
)

describe.each(serverBackends)('one successful login on $name', (backend) => {
  let proxy: RoundTripProxy
  let issuer: TestIssuer

  beforeEach(async () => {
    const url = new URL(backend.databaseUrl(''))
    proxy = await startRoundTripProxy({ host: url.hostname, port: Number(url.port) })
    url.hostname = '127.0.0.1'
    url.port = String(proxy.port)
    issuer = await createTestIssuer({}, { store: await openStore(url.toString()) })
    // Only the login's trips are counted: the feed's poller reads the store on its own clock.
    await issuer.revocationFeed.poll()
    issuer.revocationFeed.stop()
    await issuer.addUser('alice', 'pw-alice-123')
  })
  afterEach(async () => {
    await issuer.cleanup()
    await proxy.close()
    await backend.cleanup()
  })

  const login = async () => {
    const res = await issuer.request('/auth/login', {
      method: 'POST',
      json: { username: 'alice', password: 'pw-alice-123' },
    })
    expect(res.status).toBe(200)
  }

  it(`takes ${LOGIN_ROUND_TRIPS} round trips to the store`, async () => {
    // The first login opens the connection, prepares the statements and loads the scripts.
    await login()
    proxy.reset()
    await login()
    expect(proxy.trips).toBe(LOGIN_ROUND_TRIPS)
  })
})
