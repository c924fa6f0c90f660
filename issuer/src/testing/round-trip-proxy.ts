// A TCP proxy on 127.0.0.1 that counts round trips between a store's clients and its server: a
// round trip starts when a client sends while nothing it sent is still unanswered, and ends with
// the server's first bytes back. Bytes written in several chunks before the answer (a pipeline,
// a Parse/Bind/Execute/Sync batch) are one trip, as they cost one wait. The bench counts a
// refresh's trips with it (on a separate issuer, so its cost never enters a timed run) and
// `store/login-round-trips.test.ts` a login's.
import { createServer, type Server, Socket } from 'node:net'

export interface RoundTripProxy {
  port: number
  /** Round trips since start (or the last reset), over every connection. */
  readonly trips: number
  reset(): void
  close(): Promise<void>
}

export async function startRoundTripProxy(target: { host: string; port: number }): Promise<RoundTripProxy> {
  let trips = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = new Socket()
    let waiting = false
    sockets.add(client)
    sockets.add(upstream)
    upstream.connect(target.port, target.host)
    client.on('data', (chunk) => {
      if (!waiting) {
        trips++
        waiting = true
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      waiting = false
      client.write(chunk)
    })
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy did not listen on a port')
  return {
    port: address.port,
    get trips() {
      return trips
    },
    reset() {
      trips = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
