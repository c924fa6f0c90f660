import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestKey } from './test-key.ts'

/** What the fake issuer's feed says; instants in ms (the issuer's docs/issuer.md, "Revocation feed"). */
export interface FeedState {
  cursor: number
  sessions: { sid: string; at: number; until: number }[]
  users: { sub: string; before: number; until: number }[]
  keys: { kid: string; event: string; at: number }[]
}

/**
 * An issuer on 127.0.0.1 that serves what a verifier following the revocation feed reads: the
 * RFC 8414 metadata (with the feed's two members), the JWKS, the feed document (`?since` deltas)
 * and its event stream, every document signed by `signer` with the `typ` tests choose.
 */
export interface FeedServer {
  readonly issuer: string
  readonly state: FeedState
  keys: Record<string, unknown>[]
  signer: TestKey
  typ: string
  /** Whether the metadata advertises the feed, and the stream. */
  advertise: { document: boolean; stream: boolean }
  /** Requests by path. */
  readonly requests: Record<string, number>
  /** Sends the delta since each stream's last cursor to every open stream. */
  push(): void
  /** Ends every open stream. */
  dropStreams(): void
  close(): Promise<void>
}

export async function startFeedServer(signer: TestKey): Promise<FeedServer> {
  const streams = new Set<{ res: ServerResponse; sent: number }>()
  const docFor = (since: number | null) => {
    const { cursor, sessions, users, keys } = state.state
    const payload = {
      iss: state.issuer,
      cursor,
      ...(since === null ? {} : { since }),
      sessions,
      users,
      keys,
    }
    return state.signer.sign({ alg: state.signer.alg, kid: state.signer.kid, typ: state.typ }, payload)
  }
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', state.issuer)
    state.requests[url.pathname] = (state.requests[url.pathname] ?? 0) + 1
    if (url.pathname === '/.well-known/oauth-authorization-server') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer: state.issuer,
          jwks_uri: `${state.issuer}/jwks`,
          ...(state.advertise.document ? { revocation_feed_endpoint: `${state.issuer}/revocations` } : {}),
          ...(state.advertise.stream
            ? { revocation_feed_stream_endpoint: `${state.issuer}/revocations/stream` }
            : {}),
        }),
      )
    } else if (url.pathname === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }))
    } else if (url.pathname === '/revocations') {
      const since = url.searchParams.get('since')
      res
        .writeHead(200, { 'content-type': 'application/revocation-feed+jwt' })
        .end(docFor(since === null ? null : Number(since)))
    } else if (url.pathname === '/revocations/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const last = req.headers['last-event-id']
      const stream = { res, sent: last === undefined ? -1 : Number(last) }
      streams.add(stream)
      res.on('close', () => streams.delete(stream))
      send(stream)
    } else {
      res.writeHead(404).end()
    }
  }
  const send = (stream: { res: ServerResponse; sent: number }) => {
    const doc = docFor(stream.sent < 0 ? null : stream.sent)
    stream.sent = state.state.cursor
    stream.res.write(`event: feed\nid: ${state.state.cursor}\ndata: ${doc}\n\n`)
  }
  const server = createServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const state: FeedServer = {
    issuer,
    state: { cursor: 0, sessions: [], users: [], keys: [] },
    keys: [signer.publicJwk],
    signer,
    typ: 'revocation-feed+jwt',
    advertise: { document: true, stream: true },
    requests: {},
    push() {
      for (const s of streams) send(s)
    },
    dropStreams() {
      for (const s of streams) s.res.destroy()
      streams.clear()
    },
    async close() {
      state.dropStreams()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return state
}
