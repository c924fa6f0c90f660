// fetch() over node:http and node:https, answering WHATWG Responses, for two things Node's own
// fetch cannot do: trust a test CA (it trusts the system store, and NODE_EXTRA_CA_CERTS is read
// once, at start), and send exactly the headers given (it forces `Sec-Fetch-Mode: cors`, which
// makes a relying party take a browser's navigation for a script's request). Redirects are
// never followed: the tests read each Location themselves.
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

export type Fetcher = (url: string, init?: RequestInit) => Promise<Response>

/** `caPem`: the only CA trusted for https URLs (default: the system's). */
export function nodeFetcher(caPem?: string): Fetcher {
  return (url, init = {}) =>
    new Promise((resolve, reject) => {
      const headers = new Headers(init.headers)
      const body = init.body === undefined || init.body === null ? undefined : String(init.body)
      if (body !== undefined) headers.set('content-length', String(Buffer.byteLength(body)))
      const outgoing: Record<string, string> = {}
      headers.forEach((value, name) => {
        outgoing[name] = value
      })
      const request = url.startsWith('https:') ? httpsRequest : httpRequest
      const req = request(
        url,
        {
          method: init.method ?? 'GET',
          headers: outgoing,
          agent: false,
          ...(caPem === undefined ? {} : { ca: caPem }),
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('error', reject)
          res.on('end', () => {
            const answer = new Headers()
            for (const [name, value] of Object.entries(res.headers)) {
              for (const v of Array.isArray(value) ? value : [value ?? '']) answer.append(name, v)
            }
            const status = res.statusCode ?? 0
            const nullBody = status === 204 || status === 304
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: answer }))
          })
        },
      )
      req.on('error', reject)
      req.end(body)
    })
}
