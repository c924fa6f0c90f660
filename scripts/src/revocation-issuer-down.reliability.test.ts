// Issue 12's proof, issuer down: verifiers keep verifying from their cached keys, and once the
// feed has gone unfollowed past the bound they follow their staleness policy: `fail-closed`
// refuses with 503 revocation_unavailable, `report` keeps verifying and reports it; both recover
// when the feed is back (docs/threat-model.md, "Revocation feed").
import { requestJson, spawnIssuer } from '@tokensmith/issuer/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type FeedVerifier, startFeedVerifier } from './testing/feed-verifier-service.ts'
import { type PropagationRig, startPropagationRig } from './testing/propagation-rig.ts'
import { TRIAL_PASSWORD } from './testing/propagation-trials.ts'

const MAX_STALE_SEC = 2
let rig: PropagationRig
let closed: FeedVerifier
let open: FeedVerifier

beforeAll(async () => {
  rig = await startPropagationRig({ trials: 0, verifier: { stream: true, maxStaleSec: MAX_STALE_SEC } })
  const issuer = rig.issuers[0]?.url ?? ''
  ;[closed, open] = await Promise.all([
    startFeedVerifier({ framework: 'express', issuer, stream: true, maxStaleSec: MAX_STALE_SEC }),
    startFeedVerifier({
      framework: 'hono',
      issuer,
      stream: true,
      maxStaleSec: MAX_STALE_SEC,
      whenStale: 'report',
    }),
  ])
}, 60_000)

afterAll(async () => {
  await Promise.all([closed?.stop(), open?.stop()])
  await rig?.stop()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const me = (v: FeedVerifier, token: string) => requestJson(`${v.url}/api/me`, { bearer: token })

it('keeps verifying while the feed is fresh, then fails closed or reports, as each verifier is set', async () => {
  const issuer = rig.issuers[0]
  if (issuer === undefined) throw new Error('no issuer')
  const username = rig.ctx.nextUser('logout')
  const login = await requestJson(`${issuer.url}/auth/login`, {
    body: { username, password: TRIAL_PASSWORD },
  })
  const token = String(login.body.accessToken)
  expect((await me(closed, token)).status).toBe(200)

  // Down at once, as a crash or a partition would have it.
  await issuer.crash()
  // Within the bound both keep verifying from cached keys and the last feed they applied.
  expect((await me(closed, token)).status).toBe(200)
  expect((await me(open, token)).status).toBe(200)

  await sleep(MAX_STALE_SEC * 1000 + 1500)
  const refused = await me(closed, token)
  expect(refused.status).toBe(503)
  expect(refused.body.code).toBe('revocation_unavailable')
  expect(refused.headers.get('retry-after')).toBe('30')
  expect((await me(open, token)).status).toBe(200)
  expect((await requestJson(`${open.url}/probe/stats`)).body.staleReports).toEqual([true])

  // The issuer comes back on the same address: both follow the feed again (stream reconnect or poll).
  const port = Number(new URL(issuer.url).port)
  const again = await spawnIssuer(
    {
      KEYS_DIR: rig.keysDir,
      DATABASE_URL: rig.ctx.databaseUrl,
      SCRYPT_LOG_N: '10',
    },
    { port, keepOutput: false },
  )
  try {
    const deadline = Date.now() + 10_000
    while ((await me(closed, token)).status !== 200 && Date.now() < deadline) await sleep(100)
    expect((await me(closed, token)).status).toBe(200)
    expect((await requestJson(`${open.url}/probe/stats`)).body.staleReports).toEqual([true, false])
  } finally {
    await again.stop()
  }
}, 60_000)
