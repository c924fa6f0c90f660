// `pnpm bench ab`: two issuer builds (or one build under two settings) rotating refresh tokens
// side by side, to measure one change at a time on a noisy machine. Each gets its own copy of one
// seeded SQLite database and its own token pool; rounds alternate which goes first, and the
// verdict is the median of per-round ratios B/A. Besides refresh/s it reads, from /proc, the
// CPU each process and its event-loop thread spent per refresh: the steadiest figures here.
// Typical use, against the previous commit:
//   git worktree add /tmp/base HEAD~1 && (cd /tmp/base && pnpm install --offline)
//   pnpm bench ab --a /tmp/base/issuer/src/runtime/main.ts --b issuer/src/runtime/main.ts
import { randomBytes } from 'node:crypto'
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { ISSUER_ENTRY } from '@tokensmith/issuer'
import { type IssuerProcess, median, startIssuerProcess } from '@tokensmith/issuer/testing'
import { formatTable } from '@tokensmith/scripts/format-table'
import { addUser, generateKeys } from '@tokensmith/scripts/run-script'
import { formatNumber as fmt } from './kit/format-number.ts'
import { refreshLoad } from './kit/issuer-loads.ts'
import { LOAD_OPTIONS, loadOptionsFrom } from './kit/load-options.ts'
import { parseBenchArgs } from './kit/parse-bench-args.ts'
import { processCpuSeconds, threadCpuSeconds } from './kit/process-cpu.ts'
import { RefreshTokenPool } from './kit/refresh-token-pool.ts'
import { REPO_ROOT } from './kit/repo-root.ts'

/** This checkout's issuer entry, as the operator would type it from the workspace root. */
const OWN_ENTRY = relative(REPO_ROOT, ISSUER_ENTRY)

const USAGE = `Usage: pnpm bench ab [--a <main.ts>] [--a-env K=V]... [--b <main.ts>] [--b-env K=V]...
                     [--rounds 5] [--duration 4] [--connections 16] [--load wrk|autocannon]
  --a, --b       issuer entry points (default: this checkout's ${OWN_ENTRY} for both)
  --a-env, --b-env  extra environment for that side, e.g. --b-env HELPER_THREAD_NICE=0`

interface Side {
  name: 'A' | 'B'
  script: string
  env: Record<string, string>
}

interface Sample {
  rps: number
  cpuUsPerRefresh: number
  eventLoopUsPerRefresh: number
  p99Ms: number
  failed: number
}

function parseEnv(pairs: string[] | undefined, flag: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new Error(`--${flag} takes NAME=value (got ${pair})`)
    env[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return env
}

function parseOptions(argv: string[]) {
  const values = parseBenchArgs(
    argv,
    {
      ...LOAD_OPTIONS,
      a: { type: 'string' },
      b: { type: 'string' },
      'a-env': { type: 'string', multiple: true },
      'b-env': { type: 'string', multiple: true },
    },
    USAGE,
  )
  if (values === null) return null
  const load = loadOptionsFrom(values, 15)
  const cwd = process.env.INIT_CWD ?? process.cwd()
  const script = (raw: string | undefined) => (raw === undefined ? undefined : resolve(cwd, raw))
  const sides: Side[] = [
    { name: 'A', script: script(values.a) ?? '', env: parseEnv(values['a-env'], 'a-env') },
    { name: 'B', script: script(values.b) ?? '', env: parseEnv(values['b-env'], 'b-env') },
  ]
  return { sides, ...load }
}

export async function runAbBench(argv: string[]): Promise<number> {
  const opts = parseOptions(argv)
  if (opts === null) return 0
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-ab-'))
  const running: IssuerProcess[] = []
  try {
    const credentials = { username: 'bench', password: randomBytes(12).toString('base64url') }
    const keysDir = join(dir, 'keys')
    await generateKeys(keysDir)
    await addUser({ databaseUrl: `sqlite:${join(dir, 'seed.db')}`, ...credentials, roles: ['user'] })
    const poolSize = opts.connections * 3
    const contenders = []
    for (const side of opts.sides) {
      const db = join(dir, `${side.name}.db`)
      await copyFile(join(dir, 'seed.db'), db)
      const issuer = await startIssuerProcess({
        keysDir,
        databaseUrl: `sqlite:${db}`,
        env: side.env,
        ...(side.script === '' ? {} : { script: side.script }),
      })
      running.push(issuer)
      const pool = new RefreshTokenPool(issuer.url, credentials)
      await pool.topUp(poolSize)
      const run = refreshLoad(opts, pool)
      await run(issuer.url, 2) // warm-up: JIT, page cache, connections
      contenders.push({ side, issuer, pool, run, samples: [] as Sample[] })
    }
    process.stdout.write(
      `tokensmith bench ab: ${opts.rounds} rounds × ${opts.durationSec} s, ${opts.connections} connections, ${opts.load}\n` +
        contenders
          .map((c) => `  ${c.side.name}: ${c.side.script || OWN_ENTRY} ${JSON.stringify(c.side.env)}\n`)
          .join(''),
    )
    for (let r = 0; r < opts.rounds; r++) {
      const order = r % 2 === 0 ? contenders : [...contenders].reverse()
      for (const c of order) {
        await c.pool.topUp(poolSize)
        const pid = c.issuer.pid
        const cpu0 = processCpuSeconds(pid)
        const loop0 = threadCpuSeconds(pid)
        const result = await c.run(c.issuer.url, opts.durationSec)
        const n = Math.max(1, result.ok)
        c.samples.push({
          rps: result.rps,
          cpuUsPerRefresh: ((processCpuSeconds(pid) - cpu0) / n) * 1e6,
          eventLoopUsPerRefresh: ((threadCpuSeconds(pid) - loop0) / n) * 1e6,
          p99Ms: result.latencyP99Ms,
          failed: result.failed + result.errors,
        })
        const s = c.samples.at(-1)!
        process.stdout.write(
          `  … round ${r + 1} ${c.side.name}: ${fmt(s.rps)} refresh/s, ${fmt(s.cpuUsPerRefresh)} µs CPU ` +
            `(${fmt(s.eventLoopUsPerRefresh)} µs event loop) per refresh, p99 ${fmt(s.p99Ms, 1)} ms` +
            `${s.failed > 0 ? `, ${s.failed} failed` : ''}\n`,
        )
      }
    }
    const [a, b] = contenders as [(typeof contenders)[0], (typeof contenders)[0]]
    const col = (c: typeof a, f: (s: Sample) => number) => c.samples.map(f)
    const ratio = (f: (s: Sample) => number) => median(b.samples.map((s, i) => f(s) / f(a.samples[i]!)))
    const measures: [string, (s: Sample) => number, number][] = [
      ['refresh/s', (s) => s.rps, 0],
      ['CPU µs per refresh', (s) => s.cpuUsPerRefresh, 0],
      ['event-loop µs per refresh', (s) => s.eventLoopUsPerRefresh, 0],
      ['p99 ms', (s) => s.p99Ms, 1],
    ]
    const rows = [
      ['measure', 'A (median)', 'B (median)', 'B/A (median of rounds)'],
      ...measures.map(([label, f, digits]) => [
        label,
        fmt(median(col(a, f)), digits),
        fmt(median(col(b, f)), digits),
        `${fmt(ratio(f), 3)}x`,
      ]),
    ]
    process.stdout.write(`\n${formatTable(rows, { align: ['left', 'right', 'right', 'right'] })}`)
    return 0
  } finally {
    await Promise.all(running.map((p) => p.stop(5000)))
    await rm(dir, { recursive: true, force: true })
  }
}
