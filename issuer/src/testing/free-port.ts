import { createServer } from 'node:net'

/**
 * A TCP port on 127.0.0.1 that was free a moment ago. The issuer needs its port before it starts
 * (ISSUER_URL, and so the `iss` claim and discovery URLs, contain it), so PORT=0 will not do.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))))
    })
  })
}
