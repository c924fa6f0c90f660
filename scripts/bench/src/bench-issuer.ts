// `pnpm bench issuer`: how fast the issuer rotates refresh tokens over HTTP on one of its stores
// (`--store sqlite|postgres|redis`, one or two instances), next to peers measured in the same run
// on the same machine: the raw RSA-2048 signing capacity of every core, a bare hono + jose server
// that only signs, and node-oidc-provider 9 issuing RS256 JWT access tokens. The standard
// surface beside them: the refresh_token grant at /oauth/token against /auth/refresh, and the
// issuer's client_credentials grant against oidc-provider's. Plus login latency at the default
// scrypt cost and JWKS latency while logins run. A benchmark, not a test:
// it prints figures and says when a target is missed; the exit code only reports a crash.
// Every server runs as a child process on 127.0.0.1; nothing leaves the machine.
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { findUserByUsername, openStore } from '@tokensmith/issuer/admin'
import {
  type IssuerProcess,
  median,
  quantile,
  requestJson,
  type SpawnedService,
  startIssuerProcess,
} from '@tokensmith/issuer/testing'
import { formatTable } from '@tokensmith/scripts/format-table'
import { addUser, generateKeys } from '@tokensmith/scripts/run-script'
import { type BareSignPeer, startBareSignPeer } from './kit/bare-sign-peer.ts'
import { type BenchStore, benchStore, STORE_KINDS, type StoreKind } from './kit/bench-store.ts'
import { countRoundTrips } from './kit/count-round-trips.ts'
import { summarizeCpuProfiles } from './kit/cpu-profile-summary.ts'
import { formatNumber as fmt } from './kit/format-number.ts'
import type { TokenRequest } from './kit/issuer-loads.ts'
import { refreshLoad, tokenRequestLoad } from './kit/issuer-loads.ts'
import { type LoadResult, runLoad } from './kit/load.ts'
import { LOAD_OPTIONS, type LoadOptions, loadOptionsFrom } from './kit/load-options.ts'
import { createLoginUsers } from './kit/login-users.ts'
import { type OidcProviderPeer, startOidcProviderPeer } from './kit/oidc-provider-peer.ts'
import { intOption, parseBenchArgs } from './kit/parse-bench-args.ts'
import { commandCpuSeconds, processCpuSeconds } from './kit/process-cpu.ts'
import { RefreshTokenPool } from './kit/refresh-token-pool.ts'
import { OAUTH_REFRESH } from './kit/refresh-wire.ts'
import { registerServiceClient } from './kit/service-client.ts'
import { measureSigningCapacity } from './kit/signing-capacity.ts'

const NO_STORE_ISSUER = fileURLToPath(new URL('./kit/no-store-issuer.ts', import.meta.url))

/** The refresh path's targets: docs/performance.md ("## issuer") says where it stands. */
const TARGET_OF_SIGNING = 0.6
const TARGET_OVER_OIDC = 1.3
/** Issue 13: refresh against the bare hono + jose signer, per store; and what scale must keep. */
const TARGET_OF_BARE_SIGN: Record<StoreKind, number> = { sqlite: 0.9, postgres: 0.6, redis: 0.75 }
const TARGET_TWO_OVER_ONE = 0.9
const TARGET_FULL_OVER_EMPTY = 0.9
const TARGET_ROUND_TRIPS = 1
/** The standard surface's targets (issue 10): printed beside the figures, never asserted. */
const TARGET_SERVICE_OVER_OIDC = 1.5
const TARGET_OAUTH_OVER_AUTH_REFRESH = 0.95

const USAGE = `Usage: pnpm bench issuer [--ceiling] [--rounds 5] [--duration 4] [--connections 16] [--load wrk|autocannon]
                         [--store sqlite|postgres|redis] [--instances 1|2] [--sessions N] [--profile <dir>]
  --rounds       rounds of (signing capacity, issuer refresh at /auth/refresh and /oauth/token,
                 issuer and oidc-provider client_credentials), medians reported
  --duration     seconds per load run
  --connections  concurrent keep-alive connections for the refresh and client_credentials runs
  --load         load generator for those runs: wrk (default when installed; pnpm bench installs
                 Debian's wrk when root) or autocannon (in this process)
  --store        the issuer's store: a SQLite file (default), a fresh PostgreSQL schema
                 (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test) or a fresh
                 Redis key prefix (BENCH_REDIS_URL, default redis://127.0.0.1:6379); dropped after
  --instances    2: each round also runs the refresh load split over two issuer processes on
                 the one store, against one instance's figure in the same round
  --sessions     afterwards, store N more sessions (bulk) and rerun the refresh rounds against
                 the bare signer: the full store's figure over the near-empty one
  --ceiling      afterwards, rerun the refresh rounds against the issuer with a store that does no
                 work on the refresh path (kit/no-store-issuer.ts), beside the bare signer: the
                 most any store could reach on this machine
  --profile      afterwards, run the refresh load once more against an issuer started with
                 node --cpu-prof, keep the .cpuprofile files in <dir> and print the hottest functions`

interface Options extends LoadOptions {
  ceiling: boolean
  profileDir: string | null
  store: StoreKind
  instances: 1 | 2
  sessions: number
}

interface Round {
  signing: number
  refresh: LoadResult
  refreshIssuerCores: number
  /** The store's server processes meanwhile (0 on SQLite). */
  refreshStoreCores: number
  refreshClientCores: number
  /** The refresh_token grant at /oauth/token: the same rotation through the standard surface. */
  oauthRefresh: LoadResult
  oauthRefreshIssuerCores: number
  /** The issuer's client_credentials grant (client_secret_basic), oidc-provider's twin. */
  service: LoadResult
  serviceIssuerCores: number
  oidc: LoadResult
  oidcServerCores: number
  /** The bare hono + jose signer, right after the refresh pair. */
  bare: LoadResult
  bareCores: number
  /** With --instances 2: the refresh load split over both instances (rps summed). */
  twoInstances: LoadResult | null
}

function parseOptions(argv: string[]): Options | null {
  const values = parseBenchArgs(
    argv,
    {
      ...LOAD_OPTIONS,
      profile: { type: 'string' },
      ceiling: { type: 'boolean', default: false },
      store: { type: 'string', default: 'sqlite' },
      instances: { type: 'string', default: '1' },
      sessions: { type: 'string', default: '0' },
    },
    USAGE,
  )
  if (values === null) return null
  if (!(STORE_KINDS as readonly string[]).includes(values.store))
    throw new Error(`--store must be one of ${STORE_KINDS.join(', ')} (got ${values.store})\n${USAGE}`)
  return {
    ...loadOptionsFrom(values, 9),
    store: values.store as StoreKind,
    instances: intOption('instances', values.instances, 1, 2) as 1 | 2,
    sessions: intOption('sessions', values.sessions, 0, 10_000_000),
    ceiling: values.ceiling,
    profileDir:
      values.profile === undefined ? null : resolve(process.env.INIT_CWD ?? process.cwd(), values.profile),
  }
}

function log(message: string): void {
  process.stdout.write(`  … ${message}\n`)
}

/** The command names of each store's server processes, whose CPU the refresh load also costs. */
const STORE_SERVER_COMMANDS: Record<StoreKind, readonly string[]> = {
  sqlite: [],
  postgres: ['postgres'],
  redis: ['redis-server'],
}

/**
 * Runs a load and reports how many cores the server, the store's server processes (none for
 * SQLite, which runs inside the issuer) and this (client) process used meanwhile.
 */
async function loadWithCpu(
  serverPid: number,
  run: () => Promise<LoadResult>,
  storeCommands: readonly string[] = [],
): Promise<{ result: LoadResult; serverCores: number; storeCores: number; clientCores: number }> {
  const server0 = processCpuSeconds(serverPid)
  const store0 = storeCommands.length === 0 ? 0 : commandCpuSeconds(storeCommands)
  const client0 = process.cpuUsage()
  const t0 = performance.now()
  const result = await run()
  const wall = (performance.now() - t0) / 1000
  const client = process.cpuUsage(client0)
  return {
    result,
    serverCores: (processCpuSeconds(serverPid) - server0) / wall,
    storeCores: storeCommands.length === 0 ? 0 : (commandCpuSeconds(storeCommands) - store0) / wall,
    // wrk runs as its own process and reports its CPU; autocannon runs in this one.
    clientCores: (result.clientCpuSec ?? (client.user + client.system) / 1e6) / wall,
  }
}

/** Runs `a` then `b`, or `b` then `a` when `swap`; answers in the order (a, b). */
async function backToBack<T>(swap: boolean, a: () => Promise<T>, b: () => Promise<T>): Promise<[T, T]> {
  if (!swap) {
    const first = await a()
    return [first, await b()]
  }
  const second = await b()
  return [await a(), second]
}

/** One client_credentials request: it must answer an RS256 JWT access token. */
async function checkServiceToken(name: string, url: string, request: TokenRequest): Promise<void> {
  const res = await fetch(`${url}${request.path}`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  })
  const json = (await res.json()) as { access_token?: unknown }
  const token = typeof json.access_token === 'string' ? json.access_token : ''
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString() || '{}') as {
    alg?: string
  }
  if (res.status !== 200 || header.alg !== 'RS256') {
    throw new Error(`${name} did not issue an RS256 JWT: ${res.status} ${JSON.stringify(json)}`)
  }
}

async function checkPeersAnswer(
  issuer: IssuerProcess,
  service: TokenRequest,
  peer: OidcProviderPeer,
  pool: RefreshTokenPool,
) {
  const refreshed = await requestJson(`${issuer.url}/auth/refresh`, { body: { refreshToken: pool.take() } })
  const next = refreshed.body.refreshToken
  if (refreshed.status !== 200 || typeof next !== 'string') {
    throw new Error(`issuer refresh failed: ${refreshed.status} ${JSON.stringify(refreshed.body)}`)
  }
  const granted = await fetch(`${issuer.url}${OAUTH_REFRESH.path}`, {
    method: 'POST',
    headers: { 'content-type': OAUTH_REFRESH.contentType },
    body: `${OAUTH_REFRESH.before}${next}${OAUTH_REFRESH.after}`,
  })
  const grantedBody = (await granted.json()) as Record<string, unknown>
  const successor = grantedBody[OAUTH_REFRESH.successorField]
  if (granted.status !== 200 || typeof successor !== 'string') {
    throw new Error(`issuer refresh_token grant failed: ${granted.status} ${JSON.stringify(grantedBody)}`)
  }
  pool.put(successor)
  await checkServiceToken('the issuer', issuer.url, service)
  await checkServiceToken('oidc-provider', peer.url, peer.tokenRequest)
}

async function loginLatencies(issuerUrl: string, credentials: object, count: number): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    const res = await requestJson(`${issuerUrl}/auth/login`, { body: credentials })
    samples.push(performance.now() - t0)
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`)
  }
  return samples
}

const LOGIN_CONNECTIONS = 32

async function jwksUnderLogins(
  issuerUrl: string,
  logins: { usernames: string[]; password: string },
  durationSec: number,
): Promise<{ jwks: LoadResult; logins: LoadResult }> {
  let nextUser = 0
  const [jwks, loginRun] = await Promise.all([
    // A verifier fleet polling the JWKS: a steady 50 requests/s, latency corrected for
    // coordinated omission, so a stalled event loop shows in the percentiles.
    runLoad({
      url: issuerUrl,
      connections: 2,
      durationSec,
      overallRate: 50,
      requests: [{ method: 'GET', path: '/.well-known/jwks.json' }],
    }),
    // 32 logins queue for scrypt on a 2-core machine: seconds each, so no timeout cuts them.
    // One account per connection: the per-account limit counts logins in flight.
    runLoad({
      url: issuerUrl,
      connections: LOGIN_CONNECTIONS,
      durationSec,
      timeoutSec: 60,
      requests: [{ method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json' } }],
      setupClient: (client) => {
        const username = logins.usernames[nextUser++ % logins.usernames.length]
        client.setBody(JSON.stringify({ username, password: logins.password }))
      },
    }),
  ])
  return { jwks, logins: loginRun }
}

/** ` (failed: 429×3, 500×1)` when a run had non-2xx answers or connection errors. */
function failures(r: LoadResult): string {
  const bad = Object.entries(r.statusCounts).filter(([code]) => !code.startsWith('2'))
  if (bad.length === 0 && r.errors === 0) return ''
  const parts = bad.map(([code, n]) => `${code}×${n}`)
  if (r.errors > 0) parts.push(`${r.errors} connection errors/timeouts`)
  return ` (failed: ${parts.join(', ')})`
}

/** Two loads that ran side by side as one: throughput and counts summed, latencies the worse. */
function sumLoads(a: LoadResult, b: LoadResult): LoadResult {
  const statusCounts: Record<string, number> = { ...a.statusCounts }
  for (const [code, n] of Object.entries(b.statusCounts)) statusCounts[code] = (statusCounts[code] ?? 0) + n
  return {
    rps: a.rps + b.rps,
    ok: a.ok + b.ok,
    failed: a.failed + b.failed,
    errors: a.errors + b.errors,
    latencyP50Ms: Math.max(a.latencyP50Ms, b.latencyP50Ms),
    latencyP99Ms: Math.max(a.latencyP99Ms, b.latencyP99Ms),
    durationSec: Math.max(a.durationSec, b.durationSec),
    statusCounts,
  }
}

/** The id of the bench's own user, whose sessions the full-store run adds. */
async function benchUserId(databaseUrl: string): Promise<string> {
  const store = await openStore(databaseUrl)
  try {
    const user = await findUserByUsername(store.records, 'bench')
    if (user === null) throw new Error('the bench user is missing')
    return user.id
  } finally {
    await store.close()
  }
}

const printTable = (rows: string[][]): void => void process.stdout.write(formatTable(rows))

export async function runIssuerBench(argv: string[]): Promise<number> {
  const opts = parseOptions(argv)
  if (opts === null) return 0
  const threads = cpus().length
  process.stdout.write(
    `tokensmith bench issuer: ${threads} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, ` +
      `${opts.rounds} rounds × ${opts.durationSec} s, ${opts.connections} connections, store ${opts.store}, ` +
      `${opts.instances} instance${opts.instances === 1 ? '' : 's'}\n`,
  )

  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-bench-'))
  const children: Pick<SpawnedService, 'stop'>[] = []
  const store: BenchStore = benchStore(opts.store, dir)
  const cleanup = async () => {
    await Promise.all(children.map((c) => c.stop(5000)))
    await store.cleanup()
    await rm(dir, { recursive: true, force: true })
  }
  const onSignal = () => void cleanup().finally(() => process.exit(130))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)

  try {
    const keysDir = join(dir, 'keys')
    const databaseUrl = store.databaseUrl
    const credentials = { username: 'bench', password: randomBytes(12).toString('base64url') }
    log('pnpm genkeys, pnpm users add bench (default scrypt cost)')
    await generateKeys(keysDir)
    await addUser({ databaseUrl, ...credentials, roles: ['user'] })
    log('pnpm clients add bench-service (confidential, client_credentials, a generated secret)')
    const serviceRequest = await registerServiceClient(databaseUrl)
    const loginUsers = {
      usernames: await createLoginUsers({
        databaseUrl,
        prefix: 'login',
        count: LOGIN_CONNECTIONS,
        password: credentials.password,
      }),
      password: credentials.password,
    }

    log(`starting the issuer (default settings, store ${opts.store}), the bare signer and node-oidc-provider`)
    const issuer = await startIssuerProcess({ keysDir, databaseUrl })
    children.push(issuer)
    const second = opts.instances === 2 ? await startIssuerProcess({ keysDir, databaseUrl }) : null
    if (second !== null) children.push(second)
    const peer = await startOidcProviderPeer()
    children.push(peer)
    const bare: BareSignPeer = await startBareSignPeer()
    children.push(bare)

    const pool = new RefreshTokenPool(issuer.url, credentials)
    const poolSize = opts.connections * 3
    log(`logging in ${poolSize} sessions for the refresh load`)
    await pool.topUp(poolSize)
    await checkPeersAnswer(issuer, serviceRequest, peer, pool)
    // Two instances: each half of the load keeps its own tokens (any instance rotates any of them).
    const half = { ...opts, connections: Math.max(1, Math.floor(opts.connections / 2)) }
    const pools =
      second === null
        ? null
        : [new RefreshTokenPool(issuer.url, credentials), new RefreshTokenPool(second.url, credentials)]
    const twoInstanceRun = async (durationSec: number): Promise<LoadResult> => {
      if (pools === null || second === null) throw new Error('no second instance')
      // One after the other: the issuer counts logins in flight per account.
      for (const p of pools) await p.topUp(half.connections * 3)
      const [a, b] = await Promise.all([
        refreshLoad(half, pools[0]!)(issuer.url, durationSec),
        refreshLoad(half, pools[1]!)(second.url, durationSec),
      ])
      return sumLoads(a, b)
    }
    const bareRun = tokenRequestLoad(opts, bare.tokenRequest)

    log(`warm-up (JIT, SQLite page cache, connection setup); load from ${opts.load}`)
    const refreshRun = refreshLoad(opts, pool)
    const oauthRefreshRun = refreshLoad(opts, pool, OAUTH_REFRESH)
    const serviceRun = tokenRequestLoad(opts, serviceRequest)
    const oidcRun = tokenRequestLoad(opts, peer.tokenRequest)
    await refreshRun(issuer.url, 2)
    await pool.topUp(poolSize)
    await oauthRefreshRun(issuer.url, 2)
    await serviceRun(issuer.url, 2)
    await oidcRun(peer.url, 2)
    await bareRun(bare.url, 2)
    if (pools !== null) await twoInstanceRun(2)

    const rounds: Round[] = []
    // A refresh load uses up the pool's tokens (wrk keeps the successors); each one starts full.
    const refreshWith = async (run: typeof refreshRun) => {
      await pool.topUp(poolSize)
      return loadWithCpu(
        issuer.pid,
        () => run(issuer.url, opts.durationSec),
        STORE_SERVER_COMMANDS[opts.store],
      )
    }
    for (let r = 1; r <= opts.rounds; r++) {
      const signing = (await measureSigningCapacity({ threads, durationMs: 3000 })).perSecond
      // The two contenders of each pair run back to back, first one then the other in turn, so a
      // drift in the machine's speed during a round does not favour one side.
      const swap = r % 2 === 0
      const [refresh, oauthRefresh] = await backToBack(
        swap,
        () => refreshWith(refreshRun),
        () => refreshWith(oauthRefreshRun),
      )
      const bareLoad = await loadWithCpu(bare.pid, () => bareRun(bare.url, opts.durationSec))
      const bareSign = bareLoad.result
      const twoInstances = pools === null ? null : await twoInstanceRun(opts.durationSec)
      const [service, oidc] = await backToBack(
        swap,
        () => loadWithCpu(issuer.pid, () => serviceRun(issuer.url, opts.durationSec)),
        () => loadWithCpu(peer.pid, () => oidcRun(peer.url, opts.durationSec)),
      )
      rounds.push({
        signing,
        refresh: refresh.result,
        refreshIssuerCores: refresh.serverCores,
        refreshStoreCores: refresh.storeCores,
        refreshClientCores: refresh.clientCores,
        oauthRefresh: oauthRefresh.result,
        oauthRefreshIssuerCores: oauthRefresh.serverCores,
        service: service.result,
        serviceIssuerCores: service.serverCores,
        oidc: oidc.result,
        oidcServerCores: oidc.serverCores,
        bare: bareSign,
        bareCores: bareLoad.serverCores,
        twoInstances,
      })
      log(
        `round ${r}: signing ${fmt(signing)}/s, refresh ${fmt(refresh.result.rps)}/s ` +
          `(${failures(refresh.result) || 'no failures'}, issuer ${fmt(refresh.serverCores, 2)} cores, ` +
          (opts.store === 'sqlite' ? '' : `${opts.store} server ${fmt(refresh.storeCores, 2)} cores, `) +
          `client ${fmt(refresh.clientCores, 2)} cores), /oauth/token refresh ${fmt(oauthRefresh.result.rps)}/s ` +
          `(${failures(oauthRefresh.result) || 'no failures'}), issuer client_credentials ` +
          `${fmt(service.result.rps)}/s (${failures(service.result) || 'no failures'}, ` +
          `${fmt(service.serverCores, 2)} cores), oidc-provider ${fmt(oidc.result.rps)}/s ` +
          `(${failures(oidc.result) || 'no failures'}, ${fmt(oidc.serverCores, 2)} cores), ` +
          `bare signer ${fmt(bareSign.rps)}/s (${fmt(bareLoad.serverCores, 2)} cores)` +
          (twoInstances === null
            ? ''
            : `, two instances ${fmt(twoInstances.rps)}/s${failures(twoInstances)}`),
      )
    }
    if (pool.starved > 0)
      log(`WARNING: ${pool.starved} refresh requests found no live token (counted as failed)`)
    await peer.stop()

    const roundTrips = await countRoundTrips(store, keysDir, credentials)

    // The same refresh load once the store holds many more sessions, each round beside the bare
    // signer again, so the full store's ratio can be set against the near-empty one's.
    const fullRounds: { refresh: number; bare: number }[] = []
    if (opts.sessions > 0) {
      const seedStart = performance.now()
      log(`storing ${fmt(opts.sessions)} more sessions (bulk)`)
      await store.seedSessions(await benchUserId(databaseUrl), opts.sessions, Date.now())
      log(`stored in ${fmt((performance.now() - seedStart) / 1000, 1)} s`)
      await refreshWith(refreshRun)
      for (let r = 1; r <= opts.rounds; r++) {
        const [refreshed, bareSign] = await backToBack(
          r % 2 === 0,
          async () => (await refreshWith(refreshRun)).result,
          () => bareRun(bare.url, opts.durationSec),
        )
        fullRounds.push({ refresh: refreshed.rps, bare: bareSign.rps })
        log(
          `full-store round ${r}: refresh ${fmt(refreshed.rps)}/s${failures(refreshed)}, bare signer ${fmt(bareSign.rps)}/s`,
        )
      }
    }

    // The same rounds against the issuer whose store answers without work: how far the store
    // alone keeps the refresh from the bare signer, on this machine, in this run.
    const ceilingRounds: { refresh: number; bare: number }[] = []
    if (opts.ceiling) {
      log('starting the issuer with a store that does no work on the refresh path (the ceiling)')
      const ceiling = await startIssuerProcess({ keysDir, databaseUrl, script: NO_STORE_ISSUER })
      children.push(ceiling)
      const ceilingPool = new RefreshTokenPool(ceiling.url, credentials)
      const ceilingRun = refreshLoad(opts, ceilingPool)
      await ceilingPool.topUp(poolSize)
      await ceilingRun(ceiling.url, 2)
      for (let r = 1; r <= opts.rounds; r++) {
        const [refreshed, bareSign] = await backToBack(
          r % 2 === 0,
          async () => {
            await ceilingPool.topUp(poolSize)
            return ceilingRun(ceiling.url, opts.durationSec)
          },
          () => bareRun(bare.url, opts.durationSec),
        )
        ceilingRounds.push({ refresh: refreshed.rps, bare: bareSign.rps })
        log(
          `ceiling round ${r}: refresh ${fmt(refreshed.rps)}/s${failures(refreshed)}, bare signer ${fmt(bareSign.rps)}/s`,
        )
      }
      await ceiling.stop()
    }

    await bare.stop()

    log('login latency: one login at a time')
    const loginSamples = await loginLatencies(issuer.url, credentials, 10 * opts.rounds)
    log(`JWKS latency while ${LOGIN_CONNECTIONS} connections log in (one account each)`)
    // Long enough for the first queued logins to finish, so the phase is really "while logging in".
    const underLogins = await jwksUnderLogins(issuer.url, loginUsers, Math.max(10, 2 * opts.durationSec))

    const col = (f: (r: Round) => number) => rounds.map(f)
    const signing = col((r) => r.signing)
    const refresh = col((r) => r.refresh.rps)
    const oidc = col((r) => r.oidc.rps)
    // Ratios per round (measured minutes apart at most), then their median: drift in the
    // machine's speed between rounds cancels out.
    const ofSigning = median(col((r) => r.refresh.rps / r.signing))
    const overOidc = median(col((r) => r.refresh.rps / r.oidc.rps))
    const oauthRefresh = col((r) => r.oauthRefresh.rps)
    const service = col((r) => r.service.rps)
    const serviceOverOidc = median(col((r) => r.service.rps / r.oidc.rps))
    const oauthOverAuth = median(col((r) => r.oauthRefresh.rps / r.refresh.rps))
    const list = (xs: number[], digits = 0) => xs.map((x) => fmt(x, digits)).join(', ')
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED')
    const bareSign = col((r) => r.bare.rps)
    const ofBare = median(col((r) => r.refresh.rps / r.bare.rps))
    const targetOfBare = TARGET_OF_BARE_SIGN[opts.store]
    const two = rounds.flatMap((r) => (r.twoInstances === null ? [] : [r.twoInstances.rps]))
    const twoOverOne = median(
      rounds.flatMap((r) => (r.twoInstances === null ? [] : [r.twoInstances.rps / r.refresh.rps])),
    )
    const fullOfBare = median(fullRounds.map((r) => r.refresh / r.bare))
    const ceilingOfBare = ceilingRounds.map((r) => r.refresh / r.bare)
    const fullOverEmpty = fullOfBare / ofBare
    const scaleRows: string[][] = [
      ...(ceilingRounds.length === 0
        ? []
        : [
            [
              'refresh with a store that does no work / bare signer',
              fmt(median(ceilingOfBare), 2),
              list(ceilingOfBare, 2),
              `the ceiling of the ratio above for any store here (kit/no-store-issuer.ts); ${fmt(median(ceilingRounds.map((r) => r.refresh)))} refresh/s`,
            ],
          ]),
      ...(two.length === 0
        ? []
        : [
            [
              'issuer refresh/s, two instances on the one store',
              fmt(median(two)),
              list(two),
              `each instance half the connections; ${opts.store}`,
            ],
            [
              'refresh: two instances / one',
              `${fmt(twoOverOne, 2)}x`,
              list(
                rounds.flatMap((r) => (r.twoInstances === null ? [] : [r.twoInstances.rps / r.refresh.rps])),
                2,
              ),
              `target >= ${TARGET_TWO_OVER_ONE}x: ${verdict(twoOverOne >= TARGET_TWO_OVER_ONE)}`,
            ],
          ]),
      ...(roundTrips === null
        ? [['store round trips per refresh', '0', 'embedded', 'SQLite runs in the process']]
        : [
            [
              'store round trips per refresh',
              fmt(roundTrips.perRefresh, 2),
              `${roundTrips.refreshes} refreshes, one at a time (less ${roundTrips.background} of background work in as long idle)`,
              `counted on the wire by a proxy; target ${TARGET_ROUND_TRIPS}: ${verdict(roundTrips.perRefresh <= TARGET_ROUND_TRIPS)}` +
                (roundTrips.commandsPerRefresh === null
                  ? ''
                  : `; Redis commandstats per refresh: ${roundTrips.commandsPerRefresh}`),
            ],
          ]),
      ...(fullRounds.length === 0
        ? []
        : [
            [
              `issuer refresh/s with ${fmt(opts.sessions)} more sessions stored`,
              fmt(median(fullRounds.map((r) => r.refresh))),
              list(fullRounds.map((r) => r.refresh)),
              `bare signer meanwhile ${list(fullRounds.map((r) => r.bare))}`,
            ],
            [
              'refresh / bare signer: full store / near-empty',
              `${fmt(fullOverEmpty, 2)}x`,
              `${fmt(fullOfBare, 2)} / ${fmt(ofBare, 2)}`,
              `target >= ${TARGET_FULL_OVER_EMPTY}x: ${verdict(fullOverEmpty >= TARGET_FULL_OVER_EMPTY)}`,
            ],
          ]),
    ]

    process.stdout.write('\n')
    printTable([
      ['measure', 'median', 'rounds', 'note'],
      [
        `RSA-2048 signatures/s (node:crypto, ${threads} threads)`,
        fmt(median(signing)),
        list(signing),
        'the ceiling for any RS256 issuer here',
      ],
      [
        `issuer refresh/s (HTTP, rotation on ${opts.store})`,
        fmt(median(refresh)),
        list(refresh),
        `p50 ${fmt(median(col((r) => r.refresh.latencyP50Ms)))} ms, p99 ${fmt(median(col((r) => r.refresh.latencyP99Ms)))} ms; ` +
          `issuer ${fmt(median(col((r) => r.refreshIssuerCores)), 2)} cores, ` +
          (opts.store === 'sqlite'
            ? ''
            : `${opts.store} server ${fmt(median(col((r) => r.refreshStoreCores)), 2)} cores, `) +
          `load generator ${fmt(median(col((r) => r.refreshClientCores)), 2)}`,
      ],
      [
        'bare hono + jose signer/s (JSON in, RS256 token out)',
        fmt(median(bareSign)),
        list(bareSign),
        `p99 ${fmt(median(col((r) => r.bare.latencyP99Ms)))} ms; ${fmt(median(col((r) => r.bareCores)), 2)} cores; the reference of issue 13`,
      ],
      [
        'refresh / bare signer',
        fmt(ofBare, 2),
        list(
          col((r) => r.refresh.rps / r.bare.rps),
          2,
        ),
        `target on ${opts.store} >= ${targetOfBare}: ${verdict(ofBare >= targetOfBare)}`,
      ],
      [
        'CPU per request, µs: refresh (issuer + store server) / bare signer',
        `${fmt(median(col((r) => (1e6 * (r.refreshIssuerCores + r.refreshStoreCores)) / r.refresh.rps)))} / ${fmt(median(col((r) => (1e6 * r.bareCores) / r.bare.rps)))}`,
        list(
          col((r) => (1e6 * (r.refreshIssuerCores + r.refreshStoreCores)) / r.refresh.rps),
          0,
        ),
        'where the ratio above comes from: both share the same cores, so the ratio tracks the inverse of this one',
      ],
      ...scaleRows,
      [
        'issuer refresh_token grant/s (/oauth/token, same rotation)',
        fmt(median(oauthRefresh)),
        list(oauthRefresh),
        `p50 ${fmt(median(col((r) => r.oauthRefresh.latencyP50Ms)))} ms, p99 ${fmt(median(col((r) => r.oauthRefresh.latencyP99Ms)))} ms; ` +
          `issuer ${fmt(median(col((r) => r.oauthRefreshIssuerCores)), 2)} cores`,
      ],
      [
        'issuer client_credentials/s (client_secret_basic, RS256 JWT)',
        fmt(median(service)),
        list(service),
        `p99 ${fmt(median(col((r) => r.service.latencyP99Ms)))} ms; issuer ${fmt(median(col((r) => r.serviceIssuerCores)), 2)} cores`,
      ],
      [
        'oidc-provider 9 client_credentials/s (RS256 JWT)',
        fmt(median(oidc)),
        list(oidc),
        `p99 ${fmt(median(col((r) => r.oidc.latencyP99Ms)))} ms; server ${fmt(median(col((r) => r.oidcServerCores)), 2)} cores`,
      ],
      [
        'refresh / signing capacity',
        fmt(ofSigning, 2),
        list(
          col((r) => r.refresh.rps / r.signing),
          2,
        ),
        `target >= ${TARGET_OF_SIGNING}: ${verdict(ofSigning >= TARGET_OF_SIGNING)}`,
      ],
      [
        'refresh / oidc-provider',
        `${fmt(overOidc, 2)}x`,
        list(
          col((r) => r.refresh.rps / r.oidc.rps),
          2,
        ),
        `target >= ${TARGET_OVER_OIDC}x: ${verdict(overOidc >= TARGET_OVER_OIDC)}`,
      ],
      [
        'client_credentials: issuer / oidc-provider',
        `${fmt(serviceOverOidc, 2)}x`,
        list(
          col((r) => r.service.rps / r.oidc.rps),
          2,
        ),
        `target >= ${TARGET_SERVICE_OVER_OIDC}x: ${verdict(serviceOverOidc >= TARGET_SERVICE_OVER_OIDC)}`,
      ],
      [
        'refresh: /oauth/token / /auth/refresh',
        `${fmt(oauthOverAuth, 2)}x`,
        list(
          col((r) => r.oauthRefresh.rps / r.refresh.rps),
          2,
        ),
        `target >= ${TARGET_OAUTH_OVER_AUTH_REFRESH}x: ${verdict(oauthOverAuth >= TARGET_OAUTH_OVER_AUTH_REFRESH)}`,
      ],
      [
        'login latency, one at a time (scrypt N=2^15)',
        `${fmt(median(loginSamples))} ms`,
        `${loginSamples.length} logins`,
        `p99 ${fmt(quantile(loginSamples, 0.99))} ms`,
      ],
      [
        'JWKS latency while 32 connections log in',
        `${fmt(underLogins.jwks.latencyP50Ms)} ms`,
        `${underLogins.jwks.ok} requests`,
        `p99 ${fmt(underLogins.jwks.latencyP99Ms)} ms; ${underLogins.logins.ok} logins done ` +
          `(${fmt(underLogins.logins.rps, 1)}/s, p50 ${fmt(underLogins.logins.latencyP50Ms)} ms)${failures(underLogins.logins)}`,
      ],
    ])
    const failed = rounds.reduce(
      (n, r) => n + r.refresh.failed + r.oauthRefresh.failed + r.service.failed + r.oidc.failed,
      0,
    )
    if (failed > 0)
      process.stdout.write(
        `\nNote: ${failed} non-2xx responses across the load runs (not counted as throughput).\n`,
      )
    if (ofSigning < TARGET_OF_SIGNING || overOidc < TARGET_OVER_OIDC) {
      process.stdout.write(
        '\nTARGET MISSED: see docs/performance.md ("## issuer") for where the refresh path spends its time;\n' +
          'rerun with --profile <dir> to profile the issuer under this load.\n',
      )
    }
    if (serviceOverOidc < TARGET_SERVICE_OVER_OIDC || oauthOverAuth < TARGET_OAUTH_OVER_AUTH_REFRESH) {
      process.stdout.write(
        '\nTARGET MISSED (standard surface): see docs/performance.md ("## issue 10: the /oauth surface").\n',
      )
    }

    if (opts.profileDir !== null) {
      // The pool's tokens live in the shared SQLite file, so the profiled issuer rotates them
      // without logins of its own (whose scrypt work would blur the profile).
      await pool.topUp(opts.connections * 3)
      await issuer.stop()
      await mkdir(opts.profileDir, { recursive: true })
      log(`profiling: refresh load against an issuer under node --cpu-prof (files in ${opts.profileDir})`)
      const profiled = await startIssuerProcess({
        keysDir,
        databaseUrl,
        nodeFlags: ['--cpu-prof', '--cpu-prof-dir', opts.profileDir],
      })
      children.push(profiled)
      const run = await refreshRun(profiled.url, opts.durationSec)
      await profiled.stop()
      const { totalMs, hot } = await summarizeCpuProfiles(opts.profileDir)
      process.stdout.write(
        `\nUnder the profiler: ${fmt(run.rps)} refresh/s. Self time by function (${fmt(totalMs)} ms sampled, main thread):\n`,
      )
      printTable([
        ['self ms', '%', 'function', 'where'],
        ...hot.map((h) => [fmt(h.selfMs), fmt(h.selfPct, 1), h.name, h.where]),
      ])
    }
    return 0
  } finally {
    await cleanup()
  }
}
