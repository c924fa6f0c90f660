import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export const JWKS_PATH = '/.well-known/jwks.json'

/**
 * How the JWKS path answers:
 * - `ok`: the keys, 200;
 * - `slow`: the keys, but only after `slowMs` (longer than the verifier's fetch timeout);
 * - `html`, `truncated`, `keys-not-array`: 200 with a body that is not a usable JWKS;
 * - a number: that HTTP status.
 * Closing the port (`stop()`) is "down": connections are refused.
 */
export type JwksServerMode = 'ok' | 'slow' | 'html' | 'truncated' | 'keys-not-array' | number

/**
 * A JWKS endpoint on 127.0.0.1 that counts every request by path. Every other path answers 200
 * with `lure`: a JWKS of the attacker's key, so a verifier that followed `jku` or `x5u` there
 * would find what it looked for. Attack tests assert those paths see zero requests.
 */
export interface CountingJwksServer {
  readonly origin: string
  readonly jwksUrl: string
  keys: readonly object[]
  /** When set, served as the JWKS response body instead of `{ keys }` (any text at all). */
  document: string | undefined
  lure: readonly object[]
  mode: JwksServerMode
  slowMs: number
  /** Requests per path (query string included), since start or the last `resetCounts()`. */
  count(path: string): number
  /** Requests to any path but the JWKS. */
  strayRequests(): number
  /** Answers by outcome (`200`, `500`, `slow`, ...), for printed figures. */
  readonly answers: ReadonlyMap<string, number>
  resetCounts(): void
  /** Closes the port: the issuer is down (connection refused). */
  stop(): Promise<void>
  /** Listens again on the same port. */
  start(): Promise<void>
  close(): Promise<void>
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

export async function startCountingJwksServer(): Promise<CountingJwksServer> {
  const requests = new Map<string, number>()
  const answers = new Map<string, number>()
  const pendingTimers = new Set<NodeJS.Timeout>()

  function answer(res: ServerResponse, outcome: string, status: number, body: string): void {
    bump(answers, outcome)
    res.writeHead(status, { 'content-type': 'application/json' }).end(body)
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? ''
    bump(requests, path)
    if (path !== JWKS_PATH) {
      answer(res, 'lure', 200, JSON.stringify({ keys: state.lure }))
      return
    }
    const { mode } = state
    const body = state.document ?? JSON.stringify({ keys: state.keys })
    if (typeof mode === 'number') answer(res, String(mode), mode, '{"error":"down"}')
    else if (mode === 'html') answer(res, 'html', 200, '<html><body>Bad gateway</body></html>')
    else if (mode === 'truncated') answer(res, 'truncated', 200, body.slice(0, 40))
    else if (mode === 'keys-not-array') answer(res, 'keys-not-array', 200, '{"keys":"x"}')
    else if (mode === 'slow') {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer)
        if (!res.destroyed) answer(res, 'slow', 200, body)
      }, state.slowMs)
      pendingTimers.add(timer)
    } else answer(res, '200', 200, body)
  }

  const server = createServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`

  function stop(): Promise<void> {
    for (const timer of pendingTimers) clearTimeout(timer)
    pendingTimers.clear()
    return new Promise<void>((resolve) => {
      if (!server.listening) return resolve()
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }

  const state: CountingJwksServer = {
    origin,
    jwksUrl: `${origin}${JWKS_PATH}`,
    keys: [],
    document: undefined,
    lure: [],
    mode: 'ok',
    slowMs: 1000,
    count: (path) => requests.get(path) ?? 0,
    strayRequests: () => [...requests].reduce((sum, [path, n]) => (path === JWKS_PATH ? sum : sum + n), 0),
    answers,
    resetCounts() {
      requests.clear()
      answers.clear()
    },
    stop,
    start: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject)
          resolve()
        })
      }),
    close: stop,
  }
  return state
}
