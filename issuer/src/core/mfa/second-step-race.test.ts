// 20 concurrent second steps with one TOTP code, and with one recovery code, each on its own
// login ticket: exactly one finishes, on every store a deployment may share between instances.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from 'otplib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../store/open-store.ts'
import { sharedStoreBackends } from '../../testing/shared-store-backends.ts'
import { createTestIssuer, type TestIssuer } from '../../testing/test-issuer.ts'
import { USERS } from '../users/user-collection.ts'

const PASSWORD = 'pw-racer-123'
const RACERS = 20
const backends = sharedStoreBackends('mfa-race')

describe.each(backends)('one code, 20 concurrent second steps, $name', (backend) => {
  let dir: string
  let t: TestIssuer

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokensmith-mfa-race-'))
    t = await createTestIssuer(
      { LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000', LOGIN_MAX_FAILURES_PER_ADDRESS: '100000' },
      { store: await openStore(backend.databaseUrl(dir)) },
    )
    t.revocationFeed.stop()
  })
  afterEach(async () => {
    await t.cleanup()
    await backend.cleanup()
    await rm(dir, { recursive: true, force: true })
  })

  async function enrolled() {
    const userId = await t.addUser('racer', PASSWORD)
    const user = await t.store.records.get(USERS, { id: userId })
    if (user === null) throw new Error('no user')
    const { secret } = await t.mfa.beginTotp(user)
    const code = (ms: number) =>
      generate({ secret, epoch: Math.floor(ms / 1000), algorithm: 'sha1', digits: 6, period: 30 })
    const { recoveryCodes } = await t.mfa.confirmTotp(userId, await code(t.now.ms), {})
    // The confirming code is spent: race with the next step's.
    t.advance(30_000)
    return { code, recoveryCodes: recoveryCodes ?? [] }
  }

  async function tickets(): Promise<string[]> {
    const out: string[] = []
    for (let i = 0; i < RACERS; i++) {
      const res = await t.request('/auth/login', {
        method: 'POST',
        json: { username: 'racer', password: PASSWORD },
      })
      const body = (await res.json()) as { mfaToken: string }
      out.push(body.mfaToken)
    }
    return out
  }

  const race = (mfaTokens: string[], field: string, value: string) =>
    Promise.all(
      mfaTokens.map(async (mfaToken) => {
        const res = await t.request('/auth/login/mfa', { method: 'POST', json: { mfaToken, [field]: value } })
        return res.status
      }),
    )

  it('a TOTP code and a recovery code each finish exactly one login', async () => {
    const { code, recoveryCodes } = await enrolled()
    const otp = await code(t.now.ms)
    const byOtp = await race(await tickets(), 'otp', otp)
    expect(byOtp.filter((s) => s === 200)).toHaveLength(1)
    expect(byOtp.filter((s) => s === 401)).toHaveLength(RACERS - 1)

    const byCode = await race(await tickets(), 'recoveryCode', recoveryCodes[0] as string)
    expect(byCode.filter((s) => s === 200)).toHaveLength(1)
    expect(byCode.filter((s) => s === 401)).toHaveLength(RACERS - 1)
    expect(
      (await t.mfa.factorsOf((await t.store.records.findBy(USERS, 'username', 'racer'))?.id ?? ''))
        .recoveryCodesLeft,
    ).toBe(9)
  })
})
