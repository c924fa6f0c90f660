import { createServer, type Server, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { type RoundTripProxy, startRoundTripProxy } from './round-trip-proxy.ts'

// A server that answers each line with one line, like a store answering a request.
let server: Server | undefined
let proxy: RoundTripProxy | undefined
afterEach(async () => {
  await proxy?.close()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
})

async function lineServer(): Promise<number> {
  server = createServer((socket) => {
    let buffered = ''
    socket.on('data', (chunk) => {
      buffered += chunk.toString()
      let end = buffered.indexOf('\n')
      while (end >= 0) {
        socket.write(`ok ${buffered.slice(0, end)}\n`)
        buffered = buffered.slice(end + 1)
        end = buffered.indexOf('\n')
      }
    })
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

async function connect(
  port: number,
): Promise<{ send(text: string): void; replies(n: number): Promise<void> }> {
  const socket = new Socket()
  await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve))
  let seen = 0
  const waiters: { n: number; resolve: () => void }[] = []
  socket.on('data', (chunk) => {
    seen += chunk.toString().split('\n').length - 1
    for (const w of waiters.splice(0))
      if (seen >= w.n) w.resolve()
      else waiters.push(w)
  })
  return {
    send: (text) => void socket.write(text),
    replies: (n) => new Promise<void>((resolve) => (seen >= n ? resolve() : waiters.push({ n, resolve }))),
  }
}

describe('round-trip proxy', () => {
  it('counts one trip per request answered before the next is sent', async () => {
    proxy = await startRoundTripProxy({ host: '127.0.0.1', port: await lineServer() })
    const client = await connect(proxy.port)
    for (let i = 1; i <= 3; i++) {
      client.send(`request ${i}\n`)
      await client.replies(i)
    }
    expect(proxy.trips).toBe(3)
  })

  it('counts a pipeline written in several chunks before any answer as one trip', async () => {
    proxy = await startRoundTripProxy({ host: '127.0.0.1', port: await lineServer() })
    const client = await connect(proxy.port)
    client.send('a')
    client.send('\nb\n')
    await client.replies(2)
    expect(proxy.trips).toBe(1)
    proxy.reset()
    expect(proxy.trips).toBe(0)
  })
})
