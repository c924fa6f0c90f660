// The loads of the issuer benchmarks, with either load generator: refresh rotations through
// either surface, and a fixed token request (client_credentials, at the issuer or its peer).
import type autocannon from 'autocannon'
import { type LoadResult, runLoad } from './load.ts'
import type { RefreshTokenPool } from './refresh-token-pool.ts'
import { AUTH_REFRESH, type RefreshWire } from './refresh-wire.ts'
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

/** A fixed POST, the same every time: a client_credentials grant. */
export interface TokenRequest {
  path: string
  headers: Record<string, string>
  body: string
}

/** The refresh request: take a live token from the pool, put the successor back. */
function refreshRequests(pool: RefreshTokenPool, wire: RefreshWire): autocannon.Request[] {
  return [
    {
      method: 'POST',
      path: wire.path,
      headers: { 'content-type': wire.contentType },
      setupRequest: (req) => ({ ...req, body: `${wire.before}${pool.take()}${wire.after}` }),
      onResponse: (status, body) => {
        if (status !== 200) return
        const token = (JSON.parse(body) as Record<string, unknown>)[wire.successorField]
        if (typeof token === 'string') pool.put(token)
      },
    },
  ]
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

/**
 * Rotations through `wire` (default `/auth/refresh`). With wrk the pool's tokens travel to it and
 * are used up; `topUp` refills the pool.
 */
export const refreshLoad = (opts: LoadSettings, pool: RefreshTokenPool, wire = AUTH_REFRESH): LoadRun =>
  loadWith(
    opts,
    () => ({
      request: { method: 'POST', path: wire.path, headers: { 'content-type': wire.contentType } },
      refreshTokens: pool.drain(),
      refreshWire: wire,
    }),
    () => refreshRequests(pool, wire),
  )

/** The same token request over and over (the issuer's client_credentials grant, or its peer's). */
export const tokenRequestLoad = (opts: LoadSettings, request: TokenRequest): LoadRun =>
  loadWith(
    opts,
    () => ({ request: { method: 'POST', ...request } }),
    () => [{ method: 'POST', ...request }],
  )
