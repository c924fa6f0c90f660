import { fileURLToPath } from 'node:url'
import { freePort, type SpawnedService, spawnService } from '@tokensmith/issuer/testing'
import type { TokenRequest } from './issuer-loads.ts'

export interface BareSignPeer extends SpawnedService {
  url: string
  /** A refresh-shaped JSON request (a 46-character token, like a real one): it only signs. */
  tokenRequest: TokenRequest
}

/** The bare hono + jose signer (bare-sign-server.ts) as a child process on 127.0.0.1. */
export async function startBareSignPeer(): Promise<BareSignPeer> {
  const service = await spawnService({
    script: fileURLToPath(new URL('./bare-sign-server.ts', import.meta.url)),
    env: { PORT: String(await freePort()) },
    keepOutput: false,
  })
  return {
    ...service,
    url: `http://127.0.0.1:${service.port}`,
    tokenRequest: {
      path: '/sign',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: `rt_${'A'.repeat(43)}` }),
    },
  }
}
