import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A JWKS endpoint on 127.0.0.1 whose answers tests steer, counting every request. */
export interface JwksServer {
  readonly url: string
  /** Issuer base URL (same origin). */
  readonly issuer: string
  readonly jwksUrl: string
  /** Requests to the JWKS path, and the If-None-Match each carried. */
  readonly jwksRequests: (string | undefined)[]
  readonly discoveryRequests: number
  /** Requests to /.well-known/oauth-authorization-server. */
  readonly authorizationServerRequests: number
  keys: Record<string, unknown>[]
  etag: string | undefined
  cacheControl: string | undefined
  /** 'ok' serves the keys; a number answers that status; 'garbage' answers 200 with non-JSON. */
  mode: 'ok' | 'garbage' | number
  /** Discovery document served at /.well-known/openid-configuration, or 404 when undefined. */
  discovery: Record<string, unknown> | undefined
  /** RFC 8414 document served at /.well-known/oauth-authorization-server, or 404 when undefined. */
  authorizationServer: Record<string, unknown> | undefined
  /** While set, JWKS responses wait for it. */
  gate: Promise<void> | undefined
  close(): Promise<void>
}

export async function startJwksServer(path = '/.well-known/jwks.json'): Promise<JwksServer> {
  let discoveryRequests = 0
  let authorizationServerRequests = 0
  const serveDocument = (res: ServerResponse, document: Record<string, unknown> | undefined): void => {
    if (document === undefined) res.writeHead(404).end()
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document))
  }
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.url === '/.well-known/openid-configuration') {
      discoveryRequests++
      serveDocument(res, state.discovery)
      return
    }
    if (req.url === '/.well-known/oauth-authorization-server') {
      authorizationServerRequests++
      serveDocument(res, state.authorizationServer)
      return
    }
    if (req.url !== path) {
      res.writeHead(404).end()
      return
    }
    const ifNoneMatch = req.headers['if-none-match']
    state.jwksRequests.push(ifNoneMatch)
    if (state.gate !== undefined) await state.gate
    if (typeof state.mode === 'number') {
      res.writeHead(state.mode).end('{"error":"down"}')
      return
    }
    if (state.mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('<html>oops')
      return
    }
    const headers: Record<string, string> = { 'content-type': 'application/jwk-set+json' }
    if (state.cacheControl !== undefined) headers['cache-control'] = state.cacheControl
    if (state.etag !== undefined) headers.etag = state.etag
    if (state.etag !== undefined && ifNoneMatch === state.etag) {
      res.writeHead(304, headers).end()
      return
    }
    res.writeHead(200, headers).end(JSON.stringify({ keys: state.keys }))
  }
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  const state: JwksServer = {
    url,
    issuer: url,
    jwksUrl: `${url}${path}`,
    jwksRequests: [],
    get discoveryRequests() {
      return discoveryRequests
    },
    get authorizationServerRequests() {
      return authorizationServerRequests
    },
    keys: [],
    etag: undefined,
    cacheControl: undefined,
    mode: 'ok',
    discovery: undefined,
    authorizationServer: undefined,
    gate: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return state
}
