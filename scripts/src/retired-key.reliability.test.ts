// Proof for issue 12 (a retired key): after `genkeys --retire <kid>` (docs/keys.md, "retiring a
// compromised key"), three SDK verifier processes following the issuer's revocation feed refuse a
// token signed by that key within the issuer's manifest check plus one feed read of the command
// finishing (issue 12 asks 1 s: printed as met or not), and still accept the tokens of the
// key that signs now. The issuer notices the rewritten manifest (its stat check) and the feed
// carries the key event (RFC 7517 §4.5: the kid names the key; a key no longer published is not
// to be trusted). Prints, per trial and over all, the time until each verifier refused.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort, type SpawnedIssuer, seedIssuerData, spawnIssuer } from '@tokensmith/issuer/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestJson } from './bench/request-json.ts'
import { type FeedVerifier, startFeedVerifier } from './testing/feed-verifier-service.ts'
import { kidOf } from './testing/kid-of.ts'
import { runGenkeys } from './testing/run-genkeys.ts'

const TRIALS = 5
/** What issue 12 asks: every verifier refuses a retired key's tokens within 1 s. */
const TARGET_MS = 1000
/** What the issuer gives (docs/keys.md): its manifest check (every 1 s) finds the rewrite, and the
 *  feed's next read (REVOCATION_FEED_POLL_MS, 250 ms) pushes the key event; slack for a loaded
 *  2-core machine. The 1 s target is printed as met or not, and asserted at this bound. */
const BOUND_MS = 1000 + 250 + 1250
const POLL_MS = 20
const PASSWORD = 'retired-key-pass-1'

let dir: string
let keysDir: string
let issuer: SpawnedIssuer
const verifiers: Array<FeedVerifier & { name: string }> = []

const genkeys = (...args: string[]) => runGenkeys(keysDir, ...args)

async function login(): Promise<string> {
  const r = await requestJson(`${issuer.url}/auth/login`, {
    body: { username: 'retired-key', password: PASSWORD },
  })
  expect(r.status, JSON.stringify(r.body)).toBe(200)
  return r.body.accessToken as string
}

/** Logs in until the issuer signs with `kid` (it re-reads the manifest within about a second). */
async function tokenSignedBy(kid: string): Promise<string> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const token = await login()
    if (kidOf(token) === kid) return token
    if (Date.now() > deadline) throw new Error(`the issuer did not sign with ${kid}`)
    await sleep(50)
  }
}

const statuses = (token: string) =>
  Promise.all(verifiers.map(async (v) => (await requestJson(`${v.url}/api/me`, { bearer: token })).status))

/** Asks `v` every POLL_MS until it refuses `token`; answers the instant of the first refusal. */
async function refusedAt(v: FeedVerifier, token: string): Promise<number> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const r = await requestJson(`${v.url}/api/me`, { bearer: token })
    if (r.status !== 200) {
      expect(r.status).toBe(401)
      return Date.now()
    }
    if (Date.now() > deadline) return Number.POSITIVE_INFINITY
    await sleep(POLL_MS)
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-retired-key-'))
  keysDir = join(dir, 'keys')
  const databaseUrl = `sqlite:${join(dir, 'issuer.db')}`
  await seedIssuerData({ keysDir, databaseUrl, users: [{ username: 'retired-key', password: PASSWORD }] })
  await genkeys('--rotate-if-older', '30d') // publishes a standby beside the first key
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  issuer = await spawnIssuer(
    { KEYS_DIR: keysDir, DATABASE_URL: databaseUrl, ISSUER_URL: url, SCRYPT_LOG_N: '10' },
    { port, keepOutput: false },
  )
  for (const framework of ['hono', 'express', 'hono'] as const) {
    const v = await startFeedVerifier({ framework, issuer: url, stream: true })
    verifiers.push({ ...v, name: `${framework} verifier ${verifiers.length + 1}` })
  }
}, 120_000)

afterAll(async () => {
  await Promise.all(verifiers.map((v) => v.stop()))
  await issuer?.stop()
  await rm(dir, { recursive: true, force: true })
})

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN

describe('a retired key, three SDK verifiers following the feed', () => {
  it('genkeys --retire: every verifier refuses its tokens within the manifest check plus a feed read; the signing key still verifies', async () => {
    const fromCli: number[] = []
    const fromWrite: number[] = []
    for (let trial = 1; trial <= TRIALS; trial++) {
      const old = await login()
      const oldKid = kidOf(old)
      expect(await statuses(old)).toEqual([200, 200, 200])
      // The runbook's step 1: another key signs first (--retire refuses the current key).
      const promoted =
        /Promoted \S+ key (\S+): it signs from now/.exec((await genkeys('--now')).stdout)?.[1] ?? ''
      const fresh = await tokenSignedBy(promoted)
      expect(await statuses(fresh)).toEqual([200, 200, 200])
      expect(await statuses(old)).toEqual([200, 200, 200]) // previous: still published

      const out = await genkeys(`--retire=${oldKid}`)
      const done = Date.now()
      const writtenAt = (await stat(join(keysDir, 'keyset.json'))).mtimeMs
      expect(out.stdout).toContain(`Key ${oldKid} is retired`)
      const at = await Promise.all(verifiers.map((v) => refusedAt(v, old)))
      const ms = at.map((t) => Math.round(t - done))
      fromCli.push(...ms)
      fromWrite.push(...at.map((t) => Math.round(t - writtenAt)))
      process.stdout.write(
        `retired key trial ${trial}: refused after ${verifiers.map((v, i) => `${v.name} ${ms[i]} ms`).join(', ')} ` +
          `(from the CLI's exit; the CLI exited ${Math.round(done - writtenAt)} ms after writing keyset.json)\n`,
      )
      // The key that signs now is untouched.
      expect(await statuses(fresh)).toEqual([200, 200, 200])
      expect(await statuses(await login())).toEqual([200, 200, 200])
    }
    const sorted = [...fromCli].sort((a, b) => a - b)
    const sortedWrite = [...fromWrite].sort((a, b) => a - b)
    process.stdout.write(
      `retired key: ${TRIALS} trials x ${verifiers.length} verifiers, refused after ` +
        `p50 ${quantile(sorted, 0.5)} ms, max ${sorted[sorted.length - 1]} ms from genkeys --retire exiting ` +
        `(p50 ${quantile(sortedWrite, 0.5)} ms, max ${sortedWrite[sortedWrite.length - 1]} ms from the manifest write); ` +
        `target ${TARGET_MS} ms: ${(sorted[sorted.length - 1] ?? Number.POSITIVE_INFINITY) <= TARGET_MS ? 'met' : 'NOT met'}\n`,
    )
    for (const ms of fromCli) expect(ms).toBeLessThanOrEqual(BOUND_MS)
  }, 120_000)
})
