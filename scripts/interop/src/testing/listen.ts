import { createServer, type RequestListener } from 'node:http'

export interface Listening {
  /** `http://127.0.0.1:<port>`. */
  origin: string
  close(): Promise<void>
}

/**
 * Serves `handler` on 127.0.0.1:`port`. The relying parties need their port before they listen:
 * their redirect URIs, registered with the CLI beforehand, contain it.
 */
export function listen(port: number, handler: RequestListener): Promise<Listening> {
  const server = createServer(handler)
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      }),
    )
  })
}
