// `pnpm bench feed`: the revocation feed's costs (issue 12). An issuer on SQLite seeded with
// --sessions live sessions and --logouts ended ones (each a feed entry), then: the feed's size
// (snapshot and empty delta), the issuer's cost of serving it (documents per second, 200 and 304;
// CPU while --followers streams are held), one SDK verifier's memory for the whole feed, and
// verify() with the feed followed vs not (target >= 0.95x). Records "## issue 12" in
// docs/performance.md unless --no-write.
import { request } from 'node:http'
import { cpus } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { median } from '@tokensmith/issuer/testing'
import { formatTable } from '@tokensmith/scripts/format-table'
import { createVerifier } from '@tokensmith/verifier-sdk'
import { startFeedIssuer } from './kit/feed-issuer.ts'
import { feedOnOffRounds } from './kit/feed-on-off.ts'
import { formatNumber as fmt } from './kit/format-number.ts'
import { runLoad } from './kit/load.ts'
import { intOption, parseBenchArgs } from './kit/parse-bench-args.ts'
import { writePerformanceSection } from './kit/performance-doc.ts'
import { processCpuSeconds } from './kit/process-cpu.ts'

const COMMAND = 'pnpm bench feed'
const TARGET_FEED_ON = 0.95
const USAGE = `Usage: ${COMMAND} [--sessions 50000] [--logouts 10000] [--followers 200] [--rounds 7] [--verifications 10000] [--no-write]`
const OPTIONS = {
  sessions: { type: 'string', default: '50000' },
  logouts: { type: 'string', default: '10000' },
  followers: { type: 'string', default: '200' },
  rounds: { type: 'string', default: '7' },
  verifications: { type: 'string', default: '10000' },
  'no-write': { type: 'boolean' },
} as const

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapMb = () => {
  gc()
  return process.memoryUsage().heapUsed / 1e6
}

/** Opens `count` raw stream connections and resolves once each has its first event. */
function holdStreams(url: string, count: number): Promise<() => void> {
  const opened: { destroy(): void }[] = []
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => {
        res.once('data', () => resolve())
        res.on('error', () => {})
      })
      req.on('error', reject)
      opened.push(req)
      req.end()
    })
  return Promise.all(Array.from({ length: count }, one)).then(() => () => {
    for (const r of opened) r.destroy()
  })
}

export async function runFeedBench(argv: string[]): Promise<number> {
  const values = parseBenchArgs(argv, OPTIONS, USAGE)
  if (values === null) return 0
  const sessions = intOption('sessions', values.sessions, 1)
  const logouts = Math.min(sessions, intOption('logouts', values.logouts, 0))
  const followers = intOption('followers', values.followers, 0)
  const rounds = intOption('rounds', values.rounds, 1)
  const verifications = intOption('verifications', values.verifications, 1)
  const log = (line: string) => process.stdout.write(`${line}\n`)

  log(`feed bench: seeding ${fmt(sessions)} live sessions and ${fmt(logouts)} logouts (SQLite)...`)
  const feed = await startFeedIssuer({ sessions, logouts })
  const { url } = feed.issuer
  const rows: string[][] = [['measure', 'value']]
  try {
    rows.push([
      `seeding ${fmt(sessions)} live sessions (one SQL transaction)`,
      `${feed.liveSeedSec.toFixed(1)} s`,
    ])
    rows.push([`seeding ${fmt(logouts)} logouts (store port)`, `${feed.logoutSeedSec.toFixed(1)} s`])
    await new Promise((r) => setTimeout(r, 1000)) // the poller's first reads
    const snapshot = await fetch(`${url}/revocations`)
    const body = await snapshot.text()
    const etag = snapshot.headers.get('etag') ?? ''
    const cursor = JSON.parse(Buffer.from(body.split('.')[1] ?? '', 'base64url').toString()).cursor as number
    const delta = await (await fetch(`${url}/revocations?since=${cursor}`)).text()
    rows.push([
      'feed snapshot (JWS bytes)',
      `${fmt(body.length)} (${(body.length / Math.max(1, logouts)).toFixed(0)} per entry)`,
    ])
    rows.push(['feed delta, nothing new (JWS bytes)', fmt(delta.length)])

    const load = async (headers: Record<string, string>, status: '200' | '304') => {
      const r = await runLoad({
        url: `${url}/revocations`,
        connections: 16,
        durationSec: 3,
        requests: [{ method: 'GET', path: '/revocations', headers }],
      })
      return (r.statusCounts[status] ?? 0) / r.durationSec
    }
    rows.push(['snapshot documents served per s (200, 16 connections)', fmt(await load({}, '200'))])
    rows.push([
      'conditional requests per s (304, If-None-Match)',
      fmt(await load({ 'if-none-match': etag }, '304')),
    ])

    const idleFrom = processCpuSeconds(feed.issuer.pid)
    await new Promise((r) => setTimeout(r, 5000))
    const idleCpu = (processCpuSeconds(feed.issuer.pid) - idleFrom) / 5
    rows.push(['issuer CPU idle, no follower (poller only)', `${(idleCpu * 100).toFixed(1)} % of a core`])
    if (followers > 0) {
      const close = await holdStreams(`${url}/revocations/stream`, followers)
      const from = processCpuSeconds(feed.issuer.pid)
      await new Promise((r) => setTimeout(r, 5000))
      const cpu = (processCpuSeconds(feed.issuer.pid) - from) / 5
      close()
      rows.push([`issuer CPU with ${fmt(followers)} streams held`, `${(cpu * 100).toFixed(1)} % of a core`])
    }

    const before = heapMb()
    const verifier = createVerifier({ issuer: url, audience: 'api' })
    await verifier.ready()
    const held = verifier.revocationEntries()
    const after = heapMb()
    verifier.close()
    rows.push([
      `SDK heap for the feed (${fmt(held)} entries, keys included)`,
      `${(after - before).toFixed(1)} MB`,
    ])

    log(`  verify() feed on vs off: ${rounds} rounds of ${fmt(verifications)}...`)
    const samples = await feedOnOffRounds({
      issuerUrl: url,
      token: feed.token,
      rounds,
      verifications,
      inFlight: 256,
    })
    const on = samples.get('sdk feed on') ?? []
    const off = samples.get('sdk feed off') ?? []
    const paired = median(on.map((o, i) => o / (off[i] ?? Number.NaN)))
    rows.push(['verify() feed on (verifications/s, median)', fmt(median(on))])
    rows.push(['verify() feed off (verifications/s, median)', fmt(median(off))])
    rows.push([
      'feed on / off (median of per-round ratios)',
      `${paired.toFixed(2)}x (target >= ${TARGET_FEED_ON}x: ${paired >= TARGET_FEED_ON ? 'met' : 'NOT met'})`,
    ])
  } finally {
    await feed.stop()
  }
  const table = formatTable(rows, { align: ['left', 'right'] })
  process.stdout.write(`\n${table}`)
  if (values['no-write'] !== true) {
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU'
    const section = [
      '## issue 12',
      '',
      `Command: \`${COMMAND} --sessions ${sessions} --logouts ${logouts} --followers ${followers}\` (scripts/bench/src/bench-feed.ts). Run`,
      `${new Date().toISOString().slice(0, 10)} on ${cpus().length} x ${cpu}, node ${process.version}; the issuer on SQLite in its own`,
      'process, the load and the SDK in the bench process. The feed holds one entry per logout of the last',
      'access-token lifetime: its size follows the logouts, not the live sessions (the poller reads the',
      'revocations table only). The machine is shared: read the figures within one run.',
      '',
      table.trimEnd(),
      '',
    ].join('\n')
    log(`\nwrote ${await writePerformanceSection('issue 12', section)} (## issue 12)`)
  }
  return 0
}
