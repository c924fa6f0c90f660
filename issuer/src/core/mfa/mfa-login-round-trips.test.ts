// The store round trips of a login with TOTP beside a password login, counted on the wire by a
// proxy in front of the real server store (as store/login-round-trips.test.ts counts the latter).
import { generate } from 'otplib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../store/open-store.ts'
import { type RoundTripProxy, startRoundTripProxy } from '../../testing/round-trip-proxy.ts'
import { sharedStoreBackends } from '../../testing/shared-store-backends.ts'
import { createTestIssuer, type TestIssuer } from '../../testing/test-issuer.ts'
import { USERS } from '../users/user-collection.ts'

// A password login (store/login-round-trips.test.ts): client, counters, user, settle, session.
const PASSWORD_LOGIN = 5
// Its first request, for a user with a factor: client, counters, user, the three factor
// collections (read at once), the ticket; no settle (the account's failures stay until the end).
// Reads made at once may share a round trip (Redis pipelines them: 5 + 9 there), so these bound it.
const PASSWORD_STEP = 7
// The second: ticket, user, counters, user and TOTP record (read at once), remember the step,
// finish the ticket, settle, client, session.
const OTP_STEP = 10

const serverBackends = sharedStoreBackends('mfa-login-trips').filter(
  (b) => !b.databaseUrl('').startsWith('sqlite:'),
)

describe.each(serverBackends)('a TOTP login on $name', (backend) => {
  let proxy: RoundTripProxy
  let issuer: TestIssuer
  let secret: string

  beforeEach(async () => {
    const url = new URL(backend.databaseUrl(''))
    proxy = await startRoundTripProxy({ host: url.hostname, port: Number(url.port) })
    url.hostname = '127.0.0.1'
    url.port = String(proxy.port)
    issuer = await createTestIssuer({}, { store: await openStore(url.toString()) })
    await issuer.revocationFeed.poll()
    issuer.revocationFeed.stop()
    await issuer.addUser('plain', 'pw-plain-123')
    const id = await issuer.addUser('alice', 'pw-alice-123')
    const user = await issuer.store.records.get(USERS, { id })
    secret = (await issuer.mfa.beginTotp(user as NonNullable<typeof user>)).secret
    await issuer.mfa.confirmTotp(id, await code(), {})
  })
  afterEach(async () => {
    await issuer.cleanup()
    await proxy.close()
    await backend.cleanup()
  })

  const code = () =>
    generate({ secret, epoch: Math.floor(issuer.now.ms / 1000), algorithm: 'sha1', digits: 6, period: 30 })
  const post = async (path: string, json: unknown) => {
    const res = await issuer.request(path, { method: 'POST', json })
    return { status: res.status, body: (await res.json()) as Record<string, string> }
  }
  const passwordLogin = async () =>
    expect((await post('/auth/login', { username: 'plain', password: 'pw-plain-123' })).status).toBe(200)
  const totpLogin = async (): Promise<[number, number]> => {
    issuer.advance(30_000)
    proxy.reset()
    const first = await post('/auth/login', { username: 'alice', password: 'pw-alice-123' })
    expect(first.status).toBe(401)
    const firstTrips = proxy.trips
    proxy.reset()
    const second = await post('/auth/login/mfa', { mfaToken: first.body.mfaToken, otp: await code() })
    expect(second.status).toBe(200)
    return [firstTrips, proxy.trips]
  }

  it('costs at most these round trips for the password step and the code step', async () => {
    // The first of each opens connections, prepares statements and loads scripts.
    await passwordLogin()
    await totpLogin()
    proxy.reset()
    await passwordLogin()
    expect(proxy.trips).toBe(PASSWORD_LOGIN)
    const [first, second] = await totpLogin()
    console.log(
      `${backend.name}: password login ${PASSWORD_LOGIN}, TOTP login ${first} + ${second} round trips`,
    )
    expect(first).toBeLessThanOrEqual(PASSWORD_STEP)
    expect(second).toBeLessThanOrEqual(OTP_STEP)
  })
})
