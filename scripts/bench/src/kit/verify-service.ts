import { fileURLToPath } from 'node:url'
import { type SpawnedService, spawnService } from '@tokensmith/issuer/testing'
import type { VerifyFixture } from './verify-fixture.ts'

export type VerifyServiceKind = 'sdk' | 'bare'

export interface VerifyService extends SpawnedService {
  /** The protected route. */
  url: string
}

/**
 * One HTTP contender of `pnpm bench verify` in its own process (verify-service-server.ts), so the
 * load generator does not share its event loop.
 */
export async function startVerifyService(
  kind: VerifyServiceKind,
  fixture: VerifyFixture,
): Promise<VerifyService> {
  const service = await spawnService({
    script: fileURLToPath(new URL('./verify-service-server.ts', import.meta.url)),
    args: [kind],
    env: { BENCH_VERIFY_FIXTURE: JSON.stringify(fixture) },
  })
  return { ...service, url: `http://127.0.0.1:${service.port}/api/me` }
}
