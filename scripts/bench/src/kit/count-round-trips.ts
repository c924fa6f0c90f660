// Round trips per refresh between the issuer and its store, counted on the wire: a third issuer
// process reaches the store through the counting proxy (issuer/src/testing/round-trip-proxy.ts),
// logs in, warms up, then refreshes one token after another so no two refreshes share a write.
// Its background work (the revocation feed's poller, purges) is slowed to every 10 s and hourly,
// and what remains is counted in an idle window as long as the counted one and taken out: what
// is left is the refreshes' own. Redis's INFO commandstats delta over the same refreshes says
// which commands they ran (the server is shared, so other clients' commands may show there; the
// proxy's count is this issuer's).
import { setTimeout as sleep } from 'node:timers/promises'
import { requestJson, startIssuerProcess, startRoundTripProxy } from '@tokensmith/issuer/testing'
import type { BenchStore } from './bench-store.ts'
import { formatNumber as fmt } from './format-number.ts'

export interface RoundTripCount {
  refreshes: number
  perRefresh: number
  /** Round trips of the issuer's background work in an idle window as long as the counted one. */
  background: number
  /** Redis commands that ran meanwhile, per refresh, e.g. "evalsha 1.00"; null off Redis. */
  commandsPerRefresh: string | null
}

const WARM_UP = 20
const COUNTED = 200

export async function countRoundTrips(
  store: BenchStore,
  keysDir: string,
  credentials: { username: string; password: string },
): Promise<RoundTripCount | null> {
  if (store.server === null) return null
  const proxy = await startRoundTripProxy(store.server)
  const issuer = await startIssuerProcess({
    keysDir,
    databaseUrl: store.databaseUrlVia(proxy.port),
    env: { REVOCATION_FEED_POLL_MS: '10000', PURGE_INTERVAL: '1h' },
  })
  try {
    const login = await requestJson(`${issuer.url}/auth/login`, { body: credentials })
    let token = login.body.refreshToken
    const refresh = async () => {
      const res = await requestJson(`${issuer.url}/auth/refresh`, { body: { refreshToken: token } })
      if (res.status !== 200 || typeof res.body.refreshToken !== 'string')
        throw new Error(`refresh through the proxy failed: ${res.status} ${JSON.stringify(res.body)}`)
      token = res.body.refreshToken
    }
    for (let i = 0; i < WARM_UP; i++) await refresh()
    const before = await store.commandCalls()
    proxy.reset()
    const startedAt = Date.now()
    for (let i = 0; i < COUNTED; i++) await refresh()
    const trips = proxy.trips
    const elapsedMs = Date.now() - startedAt
    const after = await store.commandCalls()
    proxy.reset()
    await sleep(elapsedMs)
    const background = proxy.trips
    return {
      refreshes: COUNTED,
      perRefresh: Math.max(0, trips - background) / COUNTED,
      background,
      commandsPerRefresh: before === null || after === null ? null : commandDelta(before, after, COUNTED),
    }
  } finally {
    await issuer.stop(5000)
    await proxy.close()
  }
}

/** The commands whose calls grew, most first, as "name n.nn" per refresh (the INFO call itself left out). */
function commandDelta(
  before: Record<string, number>,
  after: Record<string, number>,
  refreshes: number,
): string {
  return Object.entries(after)
    .map(([name, calls]) => [name, (calls - (before[name] ?? 0)) / refreshes] as const)
    .filter(([name, perRefresh]) => perRefresh > 0 && name !== 'info')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, perRefresh]) => `${name} ${fmt(perRefresh, 2)}`)
    .join(', ')
}
