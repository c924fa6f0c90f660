// The refresh and oidc-provider loads of the issuer benchmarks, with either load generator.
import type autocannon from 'autocannon'
import { type LoadResult, runLoad } from './load.ts'
import type { OidcProviderPeer } from './oidc-provider-peer.ts'
import type { RefreshTokenPool } from './refresh-token-pool.ts'
import { runWrkLoad, type WrkLoadOptions, wrkAvailable } from './wrk-load.ts'

export type LoadGenerator = 'wrk' | 'autocannon'

export interface LoadSettings {
  load: LoadGenerator
  connections: number
}

export type LoadRun = (url: string, durationSec: number) => Promise<LoadResult>

/** `--load`: wrk when installed unless autocannon is asked for; wrk asked for must exist. */
export function loadGenerator(raw: string | undefined): LoadGenerator {
  if (raw === undefined) return wrkAvailable() ? 'wrk' : 'autocannon'
  if (raw !== 'wrk' && raw !== 'autocannon') throw new Error(`--load must be wrk or autocannon (got ${raw})`)
  if (raw === 'wrk' && !wrkAvailable())
    throw new Error('--load wrk: wrk is not installed (Debian package "wrk")')
  return raw
}

/** The refresh request: take a live token from the pool, put the successor back. */
function refreshRequests(pool: RefreshTokenPool): autocannon.Request[] {
  return [
    {
      method: 'POST',
      path: '/auth/refresh',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ refreshToken: pool.take() }) }),
      onResponse: (status, body) => {
        if (status !== 200) return
        const token = (JSON.parse(body) as { refreshToken?: unknown }).refreshToken
        if (typeof token === 'string') pool.put(token)
      },
    },
  ]
}

function oidcRequests(peer: OidcProviderPeer): autocannon.Request[] {
  const { path, headers, body } = peer.tokenRequest
  return [{ method: 'POST', path, headers, body }]
}

/** One load run with the chosen generator; each side builds its request when the run starts. */
function loadWith(
  opts: LoadSettings,
  forWrk: () => Pick<WrkLoadOptions, 'request' | 'refreshTokens'>,
  forAutocannon: () => autocannon.Request[],
): LoadRun {
  return (url, durationSec) => {
    const run = { url, connections: opts.connections, durationSec }
    return opts.load === 'wrk'
      ? runWrkLoad({ ...run, ...forWrk() })
      : runLoad({ ...run, requests: forAutocannon() })
  }
}

/** With wrk the pool's tokens travel to it and are used up; `topUp` refills the pool. */
export const refreshLoad = (opts: LoadSettings, pool: RefreshTokenPool): LoadRun =>
  loadWith(
    opts,
    () => ({
      request: { method: 'POST', path: '/auth/refresh', headers: { 'content-type': 'application/json' } },
      refreshTokens: pool.drain(),
    }),
    () => refreshRequests(pool),
  )

export const oidcLoad = (opts: LoadSettings, peer: OidcProviderPeer): LoadRun =>
  loadWith(
    opts,
    () => ({ request: { method: 'POST', ...peer.tokenRequest } }),
    () => oidcRequests(peer),
  )
