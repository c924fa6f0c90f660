import { fileURLToPath } from 'node:url'
import { type SpawnedService, spawnService } from '@tokensmith/issuer/testing'

export interface FeedVerifierOptions {
  framework: 'hono' | 'express'
  issuer: string
  stream: boolean
  pollIntervalMs?: number
  maxStaleSec?: number
  whenStale?: 'fail-closed' | 'report'
}

export interface FeedVerifier extends SpawnedService {
  url: string
}

/** One downstream service process of the feed proofs (feed-verifier-server.ts). */
export async function startFeedVerifier(opts: FeedVerifierOptions): Promise<FeedVerifier> {
  const service = await spawnService({
    name: `${opts.framework} verifier`,
    script: fileURLToPath(new URL('./feed-verifier-server.ts', import.meta.url)),
    env: {
      FEED_FRAMEWORK: opts.framework,
      FEED_ISSUER: opts.issuer,
      FEED_STREAM: opts.stream ? '1' : '0',
      FEED_POLL_MS: String(opts.pollIntervalMs ?? 1000),
      FEED_MAX_STALE_SEC: String(opts.maxStaleSec ?? 60),
      FEED_WHEN_STALE: opts.whenStale ?? 'fail-closed',
    },
  })
  return { ...service, url: `http://127.0.0.1:${service.port}` }
}
