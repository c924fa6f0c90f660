import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../runtime/logger.ts'
import { openStore } from '../../store/open-store.ts'
import { sharedStoreBackends } from '../../testing/shared-store-backends.ts'
import { createSoftwareAuthenticator } from '../../testing/software-authenticator.ts'
import { createLoginLimiter } from '../login/create-login-limiter.ts'
import type { Store } from '../store.ts'
import { createUser } from '../users/create-user.ts'
import { createPasskeyStep } from './create-passkey-step.ts'
import { createPasskeys } from './create-passkeys.ts'
import { createWebauthnChallenges } from './create-webauthn-challenges.ts'
import { relyingPartyOf } from './relying-party.ts'

// A WebAuthn challenge is answered once (§13.4.3): the store's compare-and-set of `usedAt` decides
// between racing answers, so 20 concurrent sign-ins with one signed answer start one session, on
// every store.
const ISSUER_URL = 'http://issuer.test'

describe.each(sharedStoreBackends('passkey-race'))(
  'one WebAuthn challenge, 20 answers at once, $name',
  (backend) => {
    let dir: string
    let store: Store
    const logger = createLogger({ level: 'silent' })
    const relyingParty = relyingPartyOf(ISSUER_URL)

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tokensmith-passkey-race-'))
      store = await openStore(backend.databaseUrl(dir), { server: true })
      await store.migrate()
    })
    afterAll(async () => {
      await store?.close()
      await backend.cleanup()
      await rm(dir, { recursive: true, force: true })
    })

    it('takes a challenge exactly once', async () => {
      const challenges = createWebauthnChallenges({ records: store.records, clock: Date.now })
      const { id } = await challenges.issue('login', null)
      const taken = await Promise.all(Array.from({ length: 20 }, () => challenges.take(id, 'login', null)))
      expect(taken.filter((t) => t !== null)).toHaveLength(1)
    })

    it('signs in exactly once with one answer', async () => {
      const userId = randomUUID()
      const user = await createUser(store.records, {
        id: userId,
        username: `race-${userId.slice(0, 8)}`,
        passwordHash: 'unused',
        roles: ['user'],
        createdAt: Date.now(),
      })
      const passkeys = createPasskeys({ store, clock: Date.now, logger, relyingParty })
      const authenticator = createSoftwareAuthenticator({ origin: ISSUER_URL })
      const started = await passkeys.registrationOptions(user)
      await passkeys.register(
        userId,
        { challengeId: started.challengeId, response: authenticator.create(started.options), name: 'race' },
        {},
      )
      const step = createPasskeyStep({
        store,
        limiter: createLoginLimiter({
          store,
          config: { loginWindowSec: 60, loginMaxFailuresPerAccount: 100, loginMaxFailuresPerAddress: 100 },
        }),
        clock: Date.now,
        logger,
        relyingParty,
      })
      const { challengeId, options } = await passkeys.authenticationOptions(null)
      const response = authenticator.get(options)
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => step.check({ challengeId, response, clientIp: `192.0.2.${i}` })),
      )
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'invalid_credentials' })
      }
    })
  },
)
