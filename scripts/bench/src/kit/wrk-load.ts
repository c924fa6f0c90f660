// Load from wrk (C, Debian package) instead of autocannon (Node): on a 2-core machine the load
// generator shares the cores with the server it measures, and wrk spends a fraction of
// autocannon's CPU per request. Same LoadResult as load.ts, so the bench can use either.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectOutput } from '@tokensmith/issuer/testing'
import type { LoadResult } from './load.ts'
import { processCpuSeconds } from './process-cpu.ts'
import { AUTH_REFRESH, type RefreshWire } from './refresh-wire.ts'

export interface WrkRequest {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
}

export interface WrkLoadOptions {
  url: string
  connections: number
  durationSec: number
  request: WrkRequest
  /**
   * Refresh mode: each request presents one of these tokens (as `refreshWire` says) and a 200
   * answer's successor goes back into the pool, so every request is a real rotation.
   */
  refreshTokens?: string[]
  /** The body around the token and the successor's field; default the JSON API's (`/auth/refresh`). */
  refreshWire?: Pick<RefreshWire, 'before' | 'after' | 'successorField'>
}

/** True when the `wrk` binary runs here. */
export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined
}

const lua = (s: string) => JSON.stringify(s) // a JSON string literal is a valid Lua string here

function script(opts: WrkLoadOptions): string {
  const { method, path, headers, body } = opts.request
  const lines = [
    `wrk.method = ${lua(method)}`,
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`),
    body === undefined ? '' : `wrk.body = ${lua(body)}`,
  ]
  if (opts.refreshTokens) {
    const wire = opts.refreshWire ?? AUTH_REFRESH
    lines.push(
      `local pool = { ${opts.refreshTokens.map(lua).join(', ')} }`,
      'request = function()',
      // An empty pool sends a token that cannot exist: it answers 401 and counts as failed.
      `  local token = table.remove(pool) or "rt_pool_was_empty"`,
      `  return wrk.format(nil, ${lua(path)}, nil, ${lua(wire.before)} .. token .. ${lua(wire.after)})`,
      'end',
      'response = function(status, headers, body)',
      '  if status ~= 200 then return end',
      `  local token = string.match(body, ${lua(`"${wire.successorField}":"(rt_[%w_%-]+)"`)})`,
      '  if token then table.insert(pool, token) end',
      'end',
    )
  } else {
    lines.push(`wrk.path = ${lua(path)}`)
  }
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format("WRK-RESULT %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,',
    '    e.status, e.connect, e.read, e.write, e.timeout, latency:percentile(50), latency:percentile(99)))',
    'end',
  )
  return `${lines.join('\n')}\n`
}

/** One wrk run (one thread, keep-alive connections), reduced to what the bench prints. */
export async function runWrkLoad(opts: WrkLoadOptions): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tokensmith-wrk-'))
  let clientCpuSec = Number.NaN
  try {
    const file = join(dir, 'load.lua')
    await writeFile(file, script(opts))
    const args = [
      '-t1',
      `-c${opts.connections}`,
      `-d${opts.durationSec}s`,
      '--timeout',
      '10s',
      '-s',
      file,
      opts.url,
    ]
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    // The load generator's own CPU, sampled while it runs (it is gone once it has exited).
    const sample = setInterval(() => {
      const cpu = processCpuSeconds(child.pid ?? -1)
      if (Number.isFinite(cpu)) clientCpuSec = cpu
    }, 100)
    child.once('exit', () => clearInterval(sample))
    const { code, stdout, stderr } = await collectOutput(child)
    const out = stdout + stderr
    if (code !== 0) throw new Error(`wrk exited ${code}: ${out}`)
    const m = /WRK-RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out)
    if (!m) throw new Error(`wrk printed no result: ${out}`)
    const [requests, durationUs, non2xx, connect, read, write, timeout, p50Us, p99Us] = m
      .slice(1)
      .map(Number) as [number, number, number, number, number, number, number, number, number]
    const ok = requests - non2xx
    const durationSec = durationUs / 1e6
    return {
      rps: ok / durationSec,
      ok,
      failed: non2xx,
      errors: connect + read + write + timeout,
      latencyP50Ms: p50Us / 1000,
      latencyP99Ms: p99Us / 1000,
      durationSec,
      statusCounts: non2xx > 0 ? { '2xx': ok, 'non-2xx': non2xx } : { '2xx': ok },
      clientCpuSec,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
