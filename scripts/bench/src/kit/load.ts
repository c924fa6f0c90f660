import autocannon from 'autocannon'

export interface LoadResult {
  /** Successful (2xx) responses per second: failed requests are not throughput. */
  rps: number
  ok: number
  failed: number
  /** Connection errors and timeouts. */
  errors: number
  latencyP50Ms: number
  latencyP99Ms: number
  durationSec: number
  /** Responses per HTTP status, to say what the failures were. */
  statusCounts: Record<string, number>
  /** CPU seconds of a load generator that ran as its own process (wrk); unset when in-process. */
  clientCpuSec?: number
}

export interface LoadOptions {
  url: string
  connections: number
  durationSec: number
  requests: autocannon.Request[]
  /** Total requests per second across connections; unset means as fast as the server answers. */
  overallRate?: number
  /** Seconds before a request counts as timed out [10]. */
  timeoutSec?: number
  /** Called once per connection, to give each its own headers or body. */
  setupClient?: (client: autocannon.Client) => void
}

/** One autocannon run (keep-alive connections, no pipelining), reduced to what the bench prints. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.durationSec,
    requests: opts.requests,
    ...(opts.overallRate === undefined ? {} : { overallRate: opts.overallRate }),
    ...(opts.timeoutSec === undefined ? {} : { timeout: opts.timeoutSec }),
    ...(opts.setupClient === undefined ? {} : { setupClient: opts.setupClient }),
  })
  const ok = result['2xx']
  return {
    rps: ok / result.duration,
    ok,
    failed: result.non2xx,
    errors: result.errors,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    durationSec: result.duration,
    statusCounts: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, v.count ?? 0]),
    ),
  }
}
