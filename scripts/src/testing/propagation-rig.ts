// What the propagation proofs share: seeded users, issuer instances over one store, three verifier
// processes (Hono, Express, Hono or Express) following the feed, and the figures' printing.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  freePort,
  requestJson,
  type SpawnedIssuer,
  seedIssuerData,
  spawnIssuer,
} from '@tokensmith/issuer/testing'
import { type FeedVerifier, type FeedVerifierOptions, startFeedVerifier } from './feed-verifier-service.ts'
import {
  propagationClients,
  TRIAL_PASSWORD,
  type TrialContext,
  type TrialResults,
  trialUsers,
} from './propagation-trials.ts'

export interface PropagationRig {
  /** Instance A (where users log in and sessions end) and, with two instances, B (what verifiers follow). */
  issuers: SpawnedIssuer[]
  verifiers: FeedVerifier[]
  ctx: TrialContext
  keysDir: string
  /** Requests the verifiers have sent the issuer so far (their fetch calls). */
  issuerRequests(): Promise<number>
  stop(): Promise<void>
}

export async function startPropagationRig(opts: {
  trials: number
  /** A DATABASE_URL for the run's directory; default a SQLite file in it. */
  databaseUrl?: (dir: string) => string
  instances?: 1 | 2
  verifier: Omit<FeedVerifierOptions, 'issuer' | 'framework'>
}): Promise<PropagationRig> {
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-propagation-'))
  const databaseUrl = opts.databaseUrl?.(dir) ?? `sqlite:${join(dir, 'issuer.db')}`
  const users = trialUsers(opts.trials)
  await seedIssuerData({
    keysDir: join(dir, 'keys'),
    databaseUrl,
    users: users.usernames.map((username) => ({ username, password: TRIAL_PASSWORD })),
    clients: propagationClients(Date.now()),
  })
  // Every instance is one issuer: the same keys, store and ISSUER_URL (the one verifiers follow).
  const ports = await Promise.all(Array.from({ length: opts.instances ?? 1 }, () => freePort()))
  const followed = `http://127.0.0.1:${ports[ports.length - 1]}`
  const issuers = await Promise.all(
    ports.map((port) =>
      spawnIssuer(
        {
          KEYS_DIR: join(dir, 'keys'),
          DATABASE_URL: databaseUrl,
          ISSUER_URL: followed,
          SCRYPT_LOG_N: '10',
          REFRESH_GRACE: '0',
        },
        { port, keepOutput: false },
      ),
    ),
  )
  const frameworks = ['hono', 'express', 'hono'] as const
  const verifiers = await Promise.all(
    frameworks.map((framework) => startFeedVerifier({ ...opts.verifier, framework, issuer: followed })),
  )
  const ctx: TrialContext = {
    issuerUrl: (issuers[0] as SpawnedIssuer).url,
    verifiers,
    databaseUrl,
    nextUser: users.nextUser,
  }
  return {
    issuers,
    verifiers,
    ctx,
    keysDir: join(dir, 'keys'),
    async issuerRequests() {
      let total = 0
      for (const v of verifiers)
        total += Number((await requestJson(`${v.url}/probe/stats`)).body.issuerRequests)
      return total
    },
    async stop() {
      await Promise.all(verifiers.map((v) => v.stop()))
      await Promise.all(issuers.map((i) => (i.proc.exitCode === null ? i.stop() : undefined)))
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export function printTrials(label: string, r: TrialResults): void {
  process.stdout.write(
    `propagation ${label.padEnd(14)} ${r.ending.padEnd(26)} trials=${r.latenciesMs.length} ` +
      `p50=${r.p50} ms p99=${r.p99} ms max=${r.max} ms\n`,
  )
}
